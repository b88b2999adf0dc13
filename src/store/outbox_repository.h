// The outbox: events written in the same unit of work as the change they describe, so an event
// exists exactly when its change committed. A delivery worker (webhooks, a later issue) reads
// the pending ones in order and marks them delivered.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

struct OutboxEvent {
  std::string id;  // evt_...
  std::string project_id;
  std::string type;       // campaign.created, voucher.updated, redemption.succeeded, ...
  std::string entity_id;  // the object the event is about
  std::optional<std::string> group_id;    // the request that caused it
  std::optional<std::string> api_key_id;  // the key that made the request
  JsonObject data;
  Instant created_at;
  std::optional<Instant> delivered_at;
};

class OutboxRepository {
 public:
  explicit OutboxRepository(UnitOfWork& tx) : tx_(tx) {}

  Status append(const Scope& scope, const OutboxEvent& event);
  // The project's events, oldest first (at most `limit`).
  Result<std::vector<OutboxEvent>> list(const Scope& scope, size_t limit);
  Result<int64_t> remove_of_entity(const Scope& scope, std::string_view entity_id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
