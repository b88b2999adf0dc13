#include "store/bin_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

constexpr std::string_view kColumns =
    "id, project_id, resource_id, resource_type, resource_name, resource_parent_id,"
    " deleted_by_user_id, created_at";

constexpr std::array<sql::ListField, 6> kFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
    {"resource_id", "resource_id", sql::FieldType::kText, false},
    {"resource_type", "resource_type", sql::FieldType::kText, false},
    {"resource_name", "resource_name", sql::FieldType::kText, false},
    {"resource_parent_id", "resource_parent_id", sql::FieldType::kText, false},
}};
constexpr sql::ListTable kTable{"bin_entries", kColumns, kFields};

BinEntry from_row(const sql::Row& r) {
  BinEntry e;
  e.id = r.text(0);
  e.project_id = r.text(1);
  e.resource_id = r.text(2);
  e.resource_type = r.text(3);
  e.resource_name = r.text(4);
  e.resource_parent_id = sql::opt_text(r, 5);
  e.deleted_by_user_id = sql::opt_text(r, 6);
  e.created_at = Instant{r.integer(7)};
  return e;
}

}  // namespace

Status BinRepository::insert(const Scope& scope, const BinEntry& e) {
  OP_TRY(tx_.query(
      "INSERT INTO bin_entries (id, project_id, resource_id, resource_type,"
      " resource_name, resource_parent_id, deleted_by_user_id, created_at) VALUES"
      " (?, ?, ?, ?, ?, ?, ?, ?)",
      {e.id, scope.project_id, e.resource_id, e.resource_type, e.resource_name,
       sql::opt(e.resource_parent_id), sql::opt(e.deleted_by_user_id), e.created_at.millis}));
  return {};
}

Result<std::optional<BinEntry>> BinRepository::find(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM bin_entries WHERE " +
                                   s.where() + " AND id = ?",
                               s.params({std::string(id)})));
  if (rs.rows.empty()) return std::optional<BinEntry>{};
  return std::optional<BinEntry>(from_row(rs.rows[0]));
}

Result<Page<BinEntry>> BinRepository::list(const Scope& scope, const ListQuery& query) {
  return sql::list_page<BinEntry>(tx_, kTable, scope, query, from_row);
}

Status BinRepository::remove_of(const Scope& scope, std::string_view resource_id) {
  const sql::Scoped s(scope);
  OP_TRY(tx_.query("DELETE FROM bin_entries WHERE " + s.where() +
                       " AND (resource_id = ? OR resource_parent_id = ?)",
                   s.params({std::string(resource_id), std::string(resource_id)})));
  return {};
}

}  // namespace openpromo
