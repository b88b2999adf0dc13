#include "store/async_action_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

using sql::opt;

constexpr std::string_view kColumns =
    "id, project_id, type, status, operation_status, progress, request_id, payload, result,"
    " done_count, created_at, updated_at, started_at, finished_at";

constexpr std::array<sql::ListField, 4> kListFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"type", "type", sql::FieldType::kText, false},
    {"status", "status", sql::FieldType::kText, false},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
}};

constexpr sql::ListTable kTable{"async_actions", kColumns, kListFields};

AsyncAction from_row(const sql::Row& r) {
  AsyncAction a;
  a.id = r.text(0);
  a.project_id = r.text(1);
  a.type = r.text(2);
  a.status = r.text(3);
  a.operation_status = sql::opt_text(r, 4);
  a.progress = static_cast<int>(r.integer(5));
  a.request_id = r.text(6);
  a.payload = sql::json_object(r, 7);
  a.result = sql::json_object(r, 8);
  a.done_count = r.integer(9);
  a.created_at = Instant{r.integer(10)};
  a.updated_at = sql::opt_time(r, 11);
  a.started_at = sql::opt_time(r, 12);
  a.finished_at = sql::opt_time(r, 13);
  return a;
}

}  // namespace

Error lease_lost(std::string_view action_id) {
  return Error{409,          "lease_lost",
               "Lease lost", "another worker holds async action " + std::string(action_id),
               {},           {}};
}

Status AsyncActionRepository::insert(const Scope& scope, const AsyncAction& a) {
  OP_TRY(tx_.query(
      "INSERT INTO async_actions (id, project_id, type, status, operation_status, progress,"
      " request_id, payload, result, done_count, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
      " ?, ?)",
      {a.id, scope.project_id, a.type, a.status, opt(a.operation_status), int64_t{a.progress},
       a.request_id, to_json_text(a.payload), to_json_text(a.result), a.done_count,
       a.created_at.millis}));
  return {};
}

Result<std::optional<AsyncAction>> AsyncActionRepository::find(const Scope& scope,
                                                               std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM async_actions WHERE " +
                                   s.where() + " AND id = ?",
                               s.params({std::string(id)})));
  if (rs.rows.empty()) return std::optional<AsyncAction>{};
  return std::optional<AsyncAction>(from_row(rs.rows[0]));
}

Result<Page<AsyncAction>> AsyncActionRepository::list(const Scope& scope, const ListQuery& query) {
  return sql::list_page<AsyncAction>(tx_, kTable, scope, query, from_row);
}

Result<std::optional<AsyncAction>> AsyncActionRepository::claim_next(std::string_view worker,
                                                                     Instant lease_until,
                                                                     Instant now) {
  // The runnable condition is repeated outside the subquery: when two workers pick the same row,
  // PostgreSQL re-checks it against the row the winner wrote, and the loser updates nothing.
  constexpr std::string_view kRunnable =
      "(status = 'ENQUEUED' OR (status = 'IN_PROGRESS' AND lease_until < ?))";
  OP_ASSIGN(auto rs,
            tx_.query("UPDATE async_actions SET status = 'IN_PROGRESS', claimed_by = ?,"
                      " lease_until = ?, started_at = COALESCE(started_at, ?), updated_at = ?"
                      " WHERE id = (SELECT id FROM async_actions WHERE " +
                          std::string(kRunnable) + " ORDER BY created_at, id LIMIT 1) AND " +
                          std::string(kRunnable) + " RETURNING " + std::string(kColumns),
                      {std::string(worker), lease_until.millis, now.millis, now.millis, now.millis,
                       now.millis}));
  if (rs.rows.empty()) return std::optional<AsyncAction>{};
  return std::optional<AsyncAction>(from_row(rs.rows[0]));
}

Result<bool> AsyncActionRepository::has_pending(const Scope& scope, std::string_view type,
                                                std::string_view campaign_id,
                                                const AsyncAction* before) {
  const std::string campaign = tx_.dialect() == "sqlite" ? "json_extract(payload, '$.campaign_id')"
                                                         : "(payload::jsonb ->> 'campaign_id')";
  const sql::Scoped s(scope);
  std::vector<sql::Value> params = s.params({std::string(type), std::string(campaign_id)});
  std::string older;
  if (before) {
    older = " AND (created_at < ? OR (created_at = ? AND id < ?))";
    params.emplace_back(before->created_at.millis);
    params.emplace_back(before->created_at.millis);
    params.emplace_back(before->id);
  }
  OP_ASSIGN(auto rs, tx_.query("SELECT 1 FROM async_actions WHERE " + s.where() +
                                   " AND status IN ('ENQUEUED', 'IN_PROGRESS') AND type = ? AND " +
                                   campaign + " = ?" + older + " LIMIT 1",
                               params));
  return !rs.rows.empty();
}

Status AsyncActionRepository::release_all_claims() {
  OP_TRY(tx_.query("UPDATE async_actions SET lease_until = 0 WHERE status = 'IN_PROGRESS'"));
  return {};
}

Status AsyncActionRepository::finish(const AsyncAction& a, std::string_view worker, Instant now) {
  OP_ASSIGN(
      auto r,
      tx_.query("UPDATE async_actions SET status = ?, operation_status = ?, progress = ?,"
                " result = ?, updated_at = ?, finished_at = ?, claimed_by = NULL,"
                " lease_until = NULL WHERE project_id = ? AND id = ? AND claimed_by = ?",
                {a.status, opt(a.operation_status), int64_t{a.progress}, to_json_text(a.result),
                 now.millis, now.millis, a.project_id, a.id, std::string(worker)}));
  if (r.affected == 0) return Error::not_found("async_action", a.id);
  return {};
}

Status AsyncActionRepository::checkpoint(const AsyncAction& a, std::string_view worker,
                                         Instant lease_until, Instant now) {
  OP_ASSIGN(auto r,
            tx_.query("UPDATE async_actions SET progress = ?, done_count = ?,"
                      " result = ?, lease_until = ?, updated_at = ?"
                      " WHERE project_id = ? AND id = ? AND claimed_by = ?",
                      {int64_t{a.progress}, a.done_count, to_json_text(a.result),
                       lease_until.millis, now.millis, a.project_id, a.id, std::string(worker)}));
  if (r.affected == 0) {
    Error e = Error::unavailable("the action's lease went to another worker");
    e.key = "lease_lost";
    return e;
  }
  return {};
}

Status AsyncActionRepository::add_progress(const AsyncAction& a, std::string_view worker,
                                           int64_t done, int progress, Instant lease_until,
                                           Instant now) {
  OP_ASSIGN(auto r, tx_.query("UPDATE async_actions SET done_count = done_count + ?,"
                              " progress = ?, lease_until = ?, updated_at = ?"
                              " WHERE project_id = ? AND id = ? AND claimed_by = ?",
                              {done, int64_t{progress}, lease_until.millis, now.millis,
                               a.project_id, a.id, std::string(worker)}));
  if (r.affected == 0) return lease_lost(a.id);
  return {};
}

}  // namespace openpromo
