#include "store/outbox_repository.h"

#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {

Status OutboxRepository::append(const Scope& scope, const OutboxEvent& e) {
  OP_TRY(
      tx_.query("INSERT INTO outbox_events (id, project_id, type, entity_id, group_id,"
                " api_key_id, data, created_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
                " NULL)",
                {e.id, scope.project_id, e.type, e.entity_id, sql::opt(e.group_id),
                 sql::opt(e.api_key_id), to_json_text(e.data), e.created_at.millis}));
  return {};
}

Result<std::vector<OutboxEvent>> OutboxRepository::list(const Scope& scope, size_t limit) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT id, project_id, type, entity_id, group_id, api_key_id,"
                               " data, created_at, delivered_at FROM outbox_events WHERE " +
                                   s.where() + " ORDER BY created_at, id LIMIT ?",
                               s.params({static_cast<int64_t>(limit)})));
  std::vector<OutboxEvent> out;
  for (const auto& r : rs.rows) {
    OutboxEvent e;
    e.id = r.text(0);
    e.project_id = r.text(1);
    e.type = r.text(2);
    e.entity_id = r.text(3);
    e.group_id = sql::opt_text(r, 4);
    e.api_key_id = sql::opt_text(r, 5);
    e.data = sql::json_object(r, 6);
    e.created_at = Instant{r.integer(7)};
    e.delivered_at = sql::opt_time(r, 8);
    out.push_back(std::move(e));
  }
  return out;
}

Result<int64_t> OutboxRepository::remove_of_entity(const Scope& scope, std::string_view entity_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM outbox_events WHERE " + s.where() + " AND entity_id = ?",
                              s.params({std::string(entity_id)})));
  return r.affected;
}

}  // namespace openpromo
