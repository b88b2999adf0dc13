// Areas and stores (spec 14.1): a project's markets and their points of sale, and the
// assignments of campaigns and restricted keys to them (model/scope.h says what an assignment
// at each level reaches).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "model/scope.h"

namespace openpromo {

inline constexpr int kMaxAreasPerProject = 100;
inline constexpr int kMaxStoresPerArea = 100;
inline constexpr int kMaxAssignments = 100;  // per campaign, and per restricted key

struct Area {
  std::string id;  // ar_...
  std::string project_id;
  std::string name;
  Instant created_at;
  std::optional<Instant> updated_at;
};

struct AreaStore {
  std::string id;  // ars_...
  std::string project_id;
  std::string area_id;
  std::string name;
  Instant created_at;
  std::optional<Instant> updated_at;
};

// `access_settings.assign` / `.unassign` as sent: ids by level.
struct AssignmentIds {
  std::vector<std::string> areas_ids, area_stores_ids, area_all_stores_ids;
  bool empty() const {
    return areas_ids.empty() && area_stores_ids.empty() && area_all_stores_ids.empty();
  }
  size_t size() const {
    return areas_ids.size() + area_stores_ids.size() + area_all_stores_ids.size();
  }
};

struct AccessSettings {
  AssignmentIds assign, unassign;
};

}  // namespace openpromo
