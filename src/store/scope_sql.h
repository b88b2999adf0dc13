// The one translation of a Scope into SQL. Every repository query is scoped through it: the
// predicate leads the WHERE clause and its values lead the parameters, so a query cannot forget
// the project (or, with areas and stores, the narrower levels) it runs in.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "model/scope.h"
#include "store/sql.h"

namespace openpromo::sql {

class Scoped {
 public:
  // `alias`: the table alias the predicate qualifies (`c` -> `c.project_id = ?`).
  explicit Scoped(const Scope& scope, std::string_view alias = {})
      : where_(alias.empty() ? "project_id = ?" : std::string(alias) + ".project_id = ?"),
        project_id_(scope.project_id) {}

  // "project_id = ?": put first in WHERE.
  const std::string& where() const { return where_; }
  // The predicate's values followed by `rest`.
  std::vector<Value> params(std::initializer_list<Value> rest = {}) const {
    std::vector<Value> out;
    out.reserve(rest.size() + 1);
    out.emplace_back(project_id_);
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
  }
  // Appends the predicate's values to `params` (for queries built piece by piece).
  void bind(std::vector<Value>& params) const { params.emplace_back(project_id_); }
  const std::string& project_id() const { return project_id_; }

 private:
  std::string where_;
  std::string project_id_;
};

}  // namespace openpromo::sql
