// Validation rules (spec 7) and their assignments to campaigns, vouchers and promotion tiers.
// The rule's conditions travel as JSON (`definition`: rules, bundle_rules, applicable_to, error,
// metadata); the engine compiles them (engine/definitions.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct ValidationRule {
  std::string id;  // val_...
  std::string project_id;
  std::string name;  // unique per project
  std::string type = "expression";
  std::string context_type = "global";
  JsonObject definition;  // rules, bundle_rules, applicable_to, error
  // Set when the stored definition text could not be parsed: the catalog fails closed on it.
  std::optional<std::string> unreadable;
  int64_t assignments_count = 0;  // computed on read
  Instant created_at;
  std::optional<Instant> updated_at;
};

struct RuleAssignment {
  std::string id;  // asgm_...
  std::string project_id;
  std::string rule_id;
  std::string related_object_type;  // campaign | voucher | promotion_tier
  std::string related_object_id;
  Instant created_at;
};

}  // namespace openpromo
