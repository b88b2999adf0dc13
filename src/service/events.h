// Outbox events of use cases (spec 17 names the types): written in the use case's own unit of
// work, so an event exists exactly when its change committed. Webhook delivery (a later issue)
// reads them from the outbox and renders the objects as the API shows them.
#pragma once

#include <string>
#include <string_view>

#include "core/json.h"
#include "model/api_key.h"
#include "store/unit_of_work.h"

namespace openpromo {

// Appends `type` about `entity_id` with `data` (a few identifying fields), recording the
// request and the key that caused it.
Status record_event(UnitOfWork& tx, const Principal& who, std::string_view type,
                    std::string_view entity_id, JsonObject data);

// Appends an audit entry (ours): `action` on `resource_type`/`resource_id` of `campaign_id` by
// `who`, with the state before and after (null where there is none), in the acting unit.
Status record_audit(UnitOfWork& tx, const Principal& who, std::string_view campaign_id,
                    std::string_view action, std::string_view resource_type,
                    std::string_view resource_id, Json before, Json after);

}  // namespace openpromo
