// The schema, as an ordered list of migrations. Each one is portable SQL that SQLite and
// PostgreSQL both accept (TEXT, BIGINT, partial indexes); a migration is never edited once it has
// shipped: a change is a new migration at the end.
#pragma once

#include <span>
#include <string_view>

namespace openpromo {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
  // When PostgreSQL needs different SQL (functions, triggers), it is here; empty: `sql` is used.
  std::string_view postgresql_sql = {};
};

std::span<const Migration> migrations();

}  // namespace openpromo
