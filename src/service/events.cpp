#include "service/events.h"

#include "core/crypto.h"
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

}  // namespace openpromo
