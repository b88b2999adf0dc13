// Category: a tag on campaigns, promotion tiers and stacks that orders them for stacking
// (lower `hierarchy` first) and carries stacking eligibility (spec 10.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"

namespace openpromo {

struct Category {
  std::string id;  // cat_...
  std::string project_id;
  std::string name;
  int64_t hierarchy = 0;  // >= 0
  Instant created_at;
  std::optional<Instant> updated_at;
};

// The fields a create or update request carries; absent ones are nullopt (on update: unchanged).
struct CategoryDraft {
  std::optional<std::string> name;
  std::optional<int64_t> hierarchy;
};

}  // namespace openpromo
