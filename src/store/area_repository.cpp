#include "store/area_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

constexpr std::string_view kAreaColumns = "id, project_id, name, created_at, updated_at";
constexpr std::string_view kStoreColumns = "id, project_id, area_id, name, created_at, updated_at";
constexpr std::string_view kAssignmentColumns =
    "id, campaign_id, area_id, area_store_id, all_stores, created_at";

constexpr std::array<sql::ListField, 4> kAreaFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
    {"updated_at", "COALESCE(updated_at, created_at)", sql::FieldType::kTimestamp, true},
}};
constexpr std::array<sql::ListField, 5> kStoreFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"area_id", "area_id", sql::FieldType::kText, false},
    {"name", "name", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
    {"updated_at", "COALESCE(updated_at, created_at)", sql::FieldType::kTimestamp, true},
}};
constexpr sql::ListTable kAreas{"areas", kAreaColumns, kAreaFields};
constexpr sql::ListTable kStores{"area_stores", kStoreColumns, kStoreFields};

Area area_from_row(const sql::Row& r) {
  return Area{r.text(0), r.text(1), r.text(2), Instant{r.integer(3)}, sql::opt_time(r, 4)};
}

AreaStore store_from_row(const sql::Row& r) {
  return AreaStore{r.text(0),          r.text(1), r.text(2), r.text(3), Instant{r.integer(4)},
                   sql::opt_time(r, 5)};
}

StoredAssignment assignment_from_row(const sql::Row& r) {
  StoredAssignment a;
  a.id = r.text(0);
  a.owner_id = r.text(1);
  a.at.area_id = r.text(2);
  a.at.area_store_id = sql::opt_text(r, 3).value_or("");
  a.at.all_stores = r.integer(4) == 1;
  a.created_at = Instant{r.integer(5)};
  return a;
}

sql::Value store_or_null(const AccessAssignment& a) {
  return a.area_store_id.empty() ? sql::null() : sql::Value(a.area_store_id);
}

// Areas and stores are renamed and deleted the same way; `resource` names them in a 404.
Status rename_row(UnitOfWork& tx, const Scope& scope, std::string_view table,
                  std::string_view resource, std::string_view id, const std::string& name,
                  Instant now) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{name, now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_ASSIGN(auto r, tx.query("UPDATE " + std::string(table) +
                                 " SET name = ?, updated_at = ? WHERE " + s.where() + " AND id = ?",
                             params));
  if (r.affected == 0) return Error::not_found(std::string(resource), std::string(id));
  return {};
}

Status remove_row(UnitOfWork& tx, const Scope& scope, std::string_view table,
                  std::string_view resource, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r,
            tx.query("DELETE FROM " + std::string(table) + " WHERE " + s.where() + " AND id = ?",
                     s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found(std::string(resource), std::string(id));
  return {};
}

std::string placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

}  // namespace

Status AreaRepository::lock_project(const Scope& scope) {
  OP_TRY(tx_.query("UPDATE projects SET name = name WHERE id = ?", {scope.project_id}));
  return {};
}

Result<bool> AreaRepository::lock_area(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("UPDATE areas SET name = name WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  return r.affected == 1;
}

Status AreaRepository::insert(const Scope& scope, const Area& a) {
  OP_TRY(
      tx_.query("INSERT INTO areas (" + std::string(kAreaColumns) + ") VALUES (?, ?, ?, ?, NULL)",
                {a.id, scope.project_id, a.name, a.created_at.millis}));
  return {};
}

Result<std::optional<Area>> AreaRepository::find(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kAreaColumns) + " FROM areas WHERE " +
                                   s.where() + " AND id = ?",
                               s.params({std::string(id)})));
  if (rs.rows.empty()) return std::optional<Area>{};
  return std::optional<Area>(area_from_row(rs.rows[0]));
}

Result<Page<Area>> AreaRepository::list(const Scope& scope, const ListQuery& query) {
  return sql::list_page<Area>(tx_, kAreas, scope, query, area_from_row);
}

Result<int64_t> AreaRepository::count(const Scope& scope) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT COUNT(*) FROM areas WHERE " + s.where(), s.params()));
  return rs.rows.at(0).integer(0);
}

Status AreaRepository::rename(const Scope& scope, std::string_view id, const std::string& name,
                              Instant now) {
  return rename_row(tx_, scope, "areas", "area", id, name, now);
}

Status AreaRepository::remove(const Scope& scope, std::string_view id) {
  return remove_row(tx_, scope, "areas", "area", id);
}

Status AreaRepository::insert_store(const Scope& scope, const AreaStore& st) {
  OP_TRY(tx_.query(
      "INSERT INTO area_stores (" + std::string(kStoreColumns) + ") VALUES (?, ?, ?, ?, ?, NULL)",
      {st.id, scope.project_id, st.area_id, st.name, st.created_at.millis}));
  return {};
}

Result<std::optional<AreaStore>> AreaRepository::find_store(const Scope& scope,
                                                            std::string_view area_id,
                                                            std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kStoreColumns) + " FROM area_stores WHERE " +
                                   s.where() + " AND area_id = ? AND id = ?",
                               s.params({std::string(area_id), std::string(id)})));
  if (rs.rows.empty()) return std::optional<AreaStore>{};
  return std::optional<AreaStore>(store_from_row(rs.rows[0]));
}

Result<std::vector<AreaStore>> AreaRepository::stores_by_id(const Scope& scope,
                                                            const std::vector<std::string>& ids) {
  std::vector<AreaStore> out;
  if (ids.empty()) return out;
  const sql::Scoped s(scope);
  std::vector<sql::Value> params = s.params();
  for (const std::string& id : ids) params.emplace_back(id);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kStoreColumns) + " FROM area_stores WHERE " +
                                   s.where() + " AND id IN (" + placeholders(ids.size()) + ")",
                               params));
  for (const auto& row : rs.rows) out.push_back(store_from_row(row));
  return out;
}

Result<Page<AreaStore>> AreaRepository::list_stores(const Scope& scope, std::string_view area_id,
                                                    ListQuery query) {
  query.required.push_back(FilterCondition{"area_id", FilterOp::kIs, {std::string(area_id)}});
  return sql::list_page<AreaStore>(tx_, kStores, scope, query, store_from_row);
}

Result<int64_t> AreaRepository::count_stores(const Scope& scope, std::string_view area_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs,
            tx_.query("SELECT COUNT(*) FROM area_stores WHERE " + s.where() + " AND area_id = ?",
                      s.params({std::string(area_id)})));
  return rs.rows.at(0).integer(0);
}

Status AreaRepository::rename_store(const Scope& scope, std::string_view id,
                                    const std::string& name, Instant now) {
  return rename_row(tx_, scope, "area_stores", "area_store", id, name, now);
}

Status AreaRepository::remove_store(const Scope& scope, std::string_view id) {
  return remove_row(tx_, scope, "area_stores", "area_store", id);
}

namespace {

Result<AreaRepository::Uses> count_uses(UnitOfWork& tx, const Scope& scope, std::string_view column,
                                        std::string_view id) {
  const sql::Scoped s(scope);
  AreaRepository::Uses uses;
  for (auto [table, out] : {std::pair{"campaign_assignments", &uses.campaigns},
                            std::pair{"key_assignments", &uses.keys}}) {
    OP_ASSIGN(auto rs, tx.query("SELECT COUNT(*) FROM " + std::string(table) + " WHERE " +
                                    s.where() + " AND " + std::string(column) + " = ?",
                                s.params({std::string(id)})));
    *out = rs.rows.at(0).integer(0);
  }
  return uses;
}

}  // namespace

Result<AreaRepository::Uses> AreaRepository::uses_of_area(const Scope& scope,
                                                          std::string_view area_id) {
  return count_uses(tx_, scope, "area_id", area_id);
}

Result<AreaRepository::Uses> AreaRepository::uses_of_store(const Scope& scope,
                                                           std::string_view store_id) {
  return count_uses(tx_, scope, "area_store_id", store_id);
}

Result<std::vector<StoredAssignment>> AreaRepository::of_campaigns(
    const Scope& scope, const std::vector<std::string>& ids) {
  std::vector<StoredAssignment> out;
  if (ids.empty()) return out;
  const sql::Scoped s(scope);
  std::vector<sql::Value> params = s.params();
  for (const std::string& id : ids) params.emplace_back(id);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kAssignmentColumns) +
                                   " FROM campaign_assignments WHERE " + s.where() +
                                   " AND campaign_id IN (" + placeholders(ids.size()) +
                                   ") ORDER BY created_at, id",
                               params));
  for (const auto& row : rs.rows) out.push_back(assignment_from_row(row));
  return out;
}

Result<std::vector<StoredAssignment>> AreaRepository::all_campaign_assignments(const Scope& scope) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kAssignmentColumns) +
                                   " FROM campaign_assignments WHERE " + s.where() +
                                   " ORDER BY created_at, id",
                               s.params()));
  std::vector<StoredAssignment> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(assignment_from_row(row));
  return out;
}

Result<bool> AreaRepository::assign_campaign(const Scope& scope, const StoredAssignment& a) {
  OP_ASSIGN(auto r,
            tx_.query("INSERT INTO campaign_assignments (id, project_id, campaign_id,"
                      " area_id, area_store_id, all_stores, created_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      {a.id, scope.project_id, a.owner_id, a.at.area_id, store_or_null(a.at),
                       sql::flag(a.at.all_stores), a.created_at.millis}));
  if (r.affected > 0) tx_.catalog_changed(scope.project_id);
  return r.affected > 0;
}

Result<bool> AreaRepository::unassign_campaign(const Scope& scope, std::string_view campaign_id,
                                               const AccessAssignment& a) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params =
      s.params({std::string(campaign_id), a.area_id, sql::flag(a.all_stores), a.area_store_id});
  OP_ASSIGN(auto r, tx_.query("DELETE FROM campaign_assignments WHERE " + s.where() +
                                  " AND campaign_id = ? AND area_id = ? AND all_stores = ?"
                                  " AND COALESCE(area_store_id, '') = ?",
                              params));
  if (r.affected > 0) tx_.catalog_changed(scope.project_id);
  return r.affected > 0;
}

Status AreaRepository::remove_campaign_assignments(const Scope& scope,
                                                   std::string_view campaign_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM campaign_assignments WHERE " + s.where() +
                                  " AND campaign_id = ?",
                              s.params({std::string(campaign_id)})));
  if (r.affected > 0) tx_.catalog_changed(scope.project_id);
  return {};
}

Status AreaRepository::assign_key(const Scope& scope, const StoredAssignment& a) {
  OP_TRY(
      tx_.query("INSERT INTO key_assignments (id, project_id, key_id, area_id, area_store_id,"
                " all_stores, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                {a.id, scope.project_id, a.owner_id, a.at.area_id, store_or_null(a.at),
                 sql::flag(a.at.all_stores), a.created_at.millis}));
  return {};
}

Result<std::vector<AccessAssignment>> AreaRepository::of_key(std::string_view project_id,
                                                             std::string_view key_id) {
  OP_ASSIGN(auto rs, tx_.query("SELECT area_id, area_store_id, all_stores FROM key_assignments"
                               " WHERE project_id = ? AND key_id = ? ORDER BY created_at, id",
                               {std::string(project_id), std::string(key_id)}));
  std::vector<AccessAssignment> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) {
    out.push_back(
        AccessAssignment{row.text(0), sql::opt_text(row, 1).value_or(""), row.integer(2) == 1});
  }
  return out;
}

}  // namespace openpromo
