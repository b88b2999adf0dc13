#include "service/events.h"

#include "core/crypto.h"
#include "store/audit_repository.h"
#include "store/outbox_repository.h"

namespace openpromo {

Status record_event(UnitOfWork& tx, const Principal& who, std::string_view type,
                    std::string_view entity_id, JsonObject data) {
  OutboxEvent e;
  e.id = new_id("evt_");
  e.project_id = who.project_id;
  e.type = std::string(type);
  e.entity_id = std::string(entity_id);
  if (!who.request_id.empty()) e.group_id = who.request_id;
  if (!who.key_id.empty()) e.api_key_id = who.key_id;
  e.data = std::move(data);
  e.created_at = now_utc();
  return OutboxRepository(tx).append(who.scope(), e);
}

Status record_audit(UnitOfWork& tx, const Principal& who, std::string_view campaign_id,
                    std::string_view action, std::string_view resource_type,
                    std::string_view resource_id, Json before, Json after) {
  AuditEntry e;
  e.id = new_id("aud_");
  e.project_id = who.project_id;
  e.campaign_id = std::string(campaign_id);
  e.action = std::string(action);
  e.resource_type = std::string(resource_type);
  e.resource_id = std::string(resource_id);
  e.actor_key_id = who.key_id;
  e.actor_role = std::string(to_string(who.role));
  e.before = std::move(before);
  e.after = std::move(after);
  e.request_id = who.request_id;
  e.created_at = now_utc();
  return AuditRepository(tx).insert(who.scope(), e);
}

}  // namespace openpromo
