// Scope: which part of the data a caller may see and change, as one value.
//
// Today a scope is one project. Areas and stores (spec 14) will narrow it further; every
// repository call takes a Scope first and turns it into SQL in one place (store/scope_sql.h), so
// adding those levels changes one predicate builder instead of every query.
#pragma once

#include <string>

namespace openpromo {

struct Scope {
  std::string project_id;

  static Scope of_project(std::string project_id) { return Scope{std::move(project_id)}; }
};

}  // namespace openpromo
