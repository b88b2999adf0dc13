#include "store/export_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

constexpr std::string_view kColumns =
    "id, project_id, exported_object, parameters, status, channel, user_id, token, base_url,"
    " row_count, error, created_at, updated_at";

constexpr std::array<sql::ListField, 5> kFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
    {"status", "status", sql::FieldType::kText, true},
    {"exported_object", "exported_object", sql::FieldType::kText, true},
    {"channel", "channel", sql::FieldType::kText, false},
}};
constexpr sql::ListTable kTable{"exports", kColumns, kFields};

Export from_row(const sql::Row& r) {
  Export e;
  e.id = r.text(0);
  e.project_id = r.text(1);
  e.exported_object = r.text(2);
  e.parameters = sql::json_object(r, 3);
  e.status = r.text(4);
  e.channel = r.text(5);
  e.user_id = sql::opt_text(r, 6);
  e.token = r.text(7);
  e.base_url = r.text(8);
  e.row_count = r.integer(9);
  e.error = sql::opt_text(r, 10);
  e.created_at = Instant{r.integer(11)};
  e.updated_at = sql::opt_time(r, 12);
  return e;
}

}  // namespace

Status ExportRepository::insert(const Scope& scope, const Export& e) {
  OP_TRY(tx_.query("INSERT INTO exports (" + std::string(kColumns) +
                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   {e.id, scope.project_id, e.exported_object, to_json_text(e.parameters), e.status,
                    e.channel, sql::opt(e.user_id), e.token, e.base_url, e.row_count,
                    sql::opt(e.error), e.created_at.millis, sql::opt(e.updated_at)}));
  return {};
}

Result<std::optional<Export>> ExportRepository::find(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM exports WHERE " +
                                   s.where() + " AND id = ?",
                               s.params({std::string(id)})));
  if (rs.rows.empty()) return std::optional<Export>{};
  return std::optional<Export>(from_row(rs.rows[0]));
}

Result<Page<Export>> ExportRepository::list(const Scope& scope, const ListQuery& query) {
  return sql::list_page<Export>(tx_, kTable, scope, query, from_row);
}

Status ExportRepository::set_status(const Scope& scope, const Export& e) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{e.status, e.row_count, sql::opt(e.error), sql::opt(e.updated_at)};
  s.bind(params);
  params.emplace_back(e.id);
  OP_ASSIGN(auto r, tx_.query("UPDATE exports SET status = ?, row_count = ?, error = ?,"
                              " updated_at = ? WHERE " +
                                  s.where() + " AND id = ?",
                              params));
  if (r.affected == 0) return Error::not_found("export", e.id);
  return {};
}

Result<bool> ExportRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM exports WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  return r.affected > 0;
}

}  // namespace openpromo
