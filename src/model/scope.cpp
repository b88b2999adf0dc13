#include "model/scope.h"

#include <algorithm>

namespace openpromo {
namespace {

bool has(const std::vector<std::string>& list, const std::string& id) {
  return !id.empty() && std::find(list.begin(), list.end(), id) != list.end();
}

}  // namespace

AreaGrants AreaGrants::of(const std::vector<AccessAssignment>& assignments) {
  AreaGrants g;
  g.assignments = assignments;
  for (const AccessAssignment& a : assignments) {
    if (!a.area_store_id.empty()) {
      g.stores.push_back(a.area_store_id);
      if (!has(g.areas_of_stores, a.area_id)) g.areas_of_stores.push_back(a.area_id);
    } else if (a.all_stores) {
      g.all_stores_of.push_back(a.area_id);
    } else {
      g.areas.push_back(a.area_id);
    }
  }
  return g;
}

bool AreaGrants::meets(const AccessAssignment& a) const {
  if (!a.area_store_id.empty())
    return has(stores, a.area_store_id) || has(all_stores_of, a.area_id);
  if (a.all_stores) return has(all_stores_of, a.area_id) || has(areas_of_stores, a.area_id);
  return has(areas, a.area_id);
}

bool AreaGrants::covers(const AccessAssignment& a) const {
  if (!a.area_store_id.empty())
    return has(stores, a.area_store_id) || has(all_stores_of, a.area_id);
  if (a.all_stores) return has(all_stores_of, a.area_id);
  return has(areas, a.area_id);
}

bool Scope::sees(const std::vector<AccessAssignment>& campaign) const {
  if (!restricted) return true;
  return std::any_of(campaign.begin(), campaign.end(),
                     [&](const AccessAssignment& a) { return restricted->meets(a); });
}

bool Scope::sees(const std::vector<StoredAssignment>& campaign) const {
  if (!restricted) return true;
  return std::any_of(campaign.begin(), campaign.end(),
                     [&](const StoredAssignment& a) { return restricted->meets(a.at); });
}

bool Scope::owns(const std::vector<AccessAssignment>& campaign) const {
  if (!restricted) return true;
  return !campaign.empty() &&
         std::all_of(campaign.begin(), campaign.end(),
                     [&](const AccessAssignment& a) { return restricted->covers(a); });
}

}  // namespace openpromo
