// A project's stacking rules (spec 10.1): how several incentives combine in one request. At most
// one set per project; without one the defaults apply (engine::StackingRules). The definition is
// kept as the settings object the API shows, normalised when written.
#pragma once

#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct StackingSettings {
  std::string id;  // stk_...
  std::string project_id;
  JsonObject definition;
  // Set when the stored text could not be parsed: the catalog fails closed on it.
  std::optional<std::string> unreadable;
  Instant created_at;
  std::optional<Instant> updated_at;
};

}  // namespace openpromo
