// An audit entry (ours, issue 15): one maintenance action on a campaign or one of its codes:
// who (API key and role), what, the state before and after, when. Written in the unit of the
// action itself, next to its outbox event.
#pragma once

#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct AuditEntry {
  std::string id;  // aud_...
  std::string project_id;
  std::string campaign_id;
  std::string action;         // campaign.updated, campaign.disabled, voucher.deleted, ...
  std::string resource_type;  // campaign | voucher
  std::string resource_id;
  std::string actor_key_id;  // empty for background work
  std::string actor_role;
  Json before, after;  // null where there is no such state (a creation, a deletion)
  std::string request_id;
  Instant created_at;
};

}  // namespace openpromo
