#include "store/location_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

constexpr std::string_view kColumns = "id, project_id, name, shape, created_at, updated_at";

constexpr std::array<sql::ListField, 4> kListFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
    {"updated_at", "COALESCE(updated_at, created_at)", sql::FieldType::kTimestamp, true},
}};

constexpr sql::ListTable kTable{"locations", kColumns, kListFields};

Location from_row(const sql::Row& r) {
  Location l;
  l.id = r.text(0);
  l.project_id = r.text(1);
  l.name = r.text(2);
  l.shape = sql::json_object(r, 3);
  l.created_at = Instant{r.integer(4)};
  l.updated_at = sql::opt_time(r, 5);
  return l;
}

}  // namespace

Status LocationRepository::insert(const Scope& scope, const Location& l) {
  OP_TRY(tx_.query(
      "INSERT INTO locations (" + std::string(kColumns) + ") VALUES (?, ?, ?, ?, ?, NULL)",
      {l.id, scope.project_id, l.name, to_json_text(l.shape), l.created_at.millis}));
  tx_.catalog_changed(scope.project_id);
  return {};
}

Result<std::vector<Location>> LocationRepository::all(const Scope& scope) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM locations WHERE " +
                                   s.where() + " ORDER BY created_at, id",
                               s.params({})));
  std::vector<Location> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(from_row(row));
  return out;
}

Result<std::optional<Location>> LocationRepository::find(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM locations WHERE " +
                                   s.where() + " AND id = ?",
                               s.params({std::string(id)})));
  if (rs.rows.empty()) return std::optional<Location>{};
  return std::optional<Location>(from_row(rs.rows[0]));
}

Result<Page<Location>> LocationRepository::list(const Scope& scope, const ListQuery& query) {
  return sql::list_page<Location>(tx_, kTable, scope, query, from_row);
}

Status LocationRepository::update(const Scope& scope, const Location& l) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{l.name, to_json_text(l.shape),
                                 l.updated_at ? sql::Value(l.updated_at->millis) : sql::null()};
  s.bind(params);
  params.emplace_back(l.id);
  OP_ASSIGN(auto r, tx_.query("UPDATE locations SET name = ?, shape = ?, updated_at = ? WHERE " +
                                  s.where() + " AND id = ?",
                              params));
  if (r.affected == 0) return Error::not_found("location", l.id);
  tx_.catalog_changed(scope.project_id);
  return {};
}

Status LocationRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM locations WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("location", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return {};
}

Result<std::vector<std::string>> LocationRepository::users_of(const Scope& scope,
                                                              std::string_view id) {
  // Location ids are `loc_` + hex: no LIKE wildcard can occur in them.
  const sql::Scoped s(scope);
  const std::string pattern = "%\"" + std::string(id) + "\"%";
  std::vector<std::string> out;
  for (const char* table : {"segments", "product_collections"}) {
    OP_ASSIGN(auto rs, tx_.query("SELECT name FROM " + std::string(table) + " WHERE " + s.where() +
                                     " AND definition LIKE ? ORDER BY name",
                                 s.params({pattern})));
    for (const auto& row : rs.rows) out.push_back(row.text(0));
  }
  return out;
}

}  // namespace openpromo
