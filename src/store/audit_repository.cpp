#include "store/audit_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

constexpr std::string_view kColumns =
    "id, project_id, campaign_id, action, resource_type, resource_id, actor_key_id, actor_role,"
    " before_state, after_state, request_id, created_at";

constexpr std::array<sql::ListField, 6> kFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
    {"campaign_id", "campaign_id", sql::FieldType::kText, false},
    {"action", "action", sql::FieldType::kText, false},
    {"resource_type", "resource_type", sql::FieldType::kText, false},
    {"resource_id", "resource_id", sql::FieldType::kText, false},
}};
constexpr sql::ListTable kTable{"audit_entries", kColumns, kFields};

Json state_of(const sql::Row& r, int column) {
  if (r.is_null(column)) return nullptr;
  auto parsed = parse_json_text(r.text(column));
  return parsed.ok() ? std::move(parsed).value() : Json(nullptr);
}

AuditEntry from_row(const sql::Row& r) {
  AuditEntry e;
  e.id = r.text(0);
  e.project_id = r.text(1);
  e.campaign_id = r.text(2);
  e.action = r.text(3);
  e.resource_type = r.text(4);
  e.resource_id = r.text(5);
  e.actor_key_id = r.text(6);
  e.actor_role = r.text(7);
  e.before = state_of(r, 8);
  e.after = state_of(r, 9);
  e.request_id = r.text(10);
  e.created_at = Instant{r.integer(11)};
  return e;
}

sql::Value state_value(const Json& state) {
  if (state.is_null()) return sql::Value{};
  return to_json_text(state);
}

}  // namespace

Status AuditRepository::insert(const Scope& scope, const AuditEntry& e) {
  OP_TRY(
      tx_.query("INSERT INTO audit_entries (id, project_id, campaign_id, action, resource_type,"
                " resource_id, actor_key_id, actor_role, before_state, after_state, request_id,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {e.id, scope.project_id, e.campaign_id, e.action, e.resource_type, e.resource_id,
                 e.actor_key_id, e.actor_role, state_value(e.before), state_value(e.after),
                 e.request_id, e.created_at.millis}));
  return {};
}

Result<Page<AuditEntry>> AuditRepository::list_of_campaign(const Scope& scope,
                                                           std::string_view campaign_id,
                                                           ListQuery query) {
  query.required.push_back(
      FilterCondition{"campaign_id", FilterOp::kIs, {std::string(campaign_id)}});
  return sql::list_page<AuditEntry>(tx_, kTable, scope, query, from_row);
}

}  // namespace openpromo
