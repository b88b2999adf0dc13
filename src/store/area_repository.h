// Areas, stores and the assignments of campaigns and restricted keys to them (spec 14), scoped
// by project. `campaign_assignments` is a catalog table (the snapshot decides visibility at
// validation from it), so its writes mark the catalog changed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/area.h"
#include "model/list_query.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class AreaRepository {
 public:
  explicit AreaRepository(UnitOfWork& tx) : tx_(tx) {}

  // Holds the project's row (PostgreSQL: until the unit ends) so that two units creating areas
  // count them one after the other.
  Status lock_project(const Scope& scope);
  // Holds the area's row the same way (creating its stores); false when there is no such area.
  Result<bool> lock_area(const Scope& scope, std::string_view id);
  Status insert(const Scope& scope, const Area& area);
  Result<std::optional<Area>> find(const Scope& scope, std::string_view id);
  Result<Page<Area>> list(const Scope& scope, const ListQuery& query);
  Result<int64_t> count(const Scope& scope);
  Status rename(const Scope& scope, std::string_view id, const std::string& name, Instant now);
  Status remove(const Scope& scope, std::string_view id);

  Status insert_store(const Scope& scope, const AreaStore& store);
  // A store of area `area_id` (another area's store is not found there).
  Result<std::optional<AreaStore>> find_store(const Scope& scope, std::string_view area_id,
                                              std::string_view id);
  // The stores named, wherever they are (assignments name stores without their area).
  Result<std::vector<AreaStore>> stores_by_id(const Scope& scope,
                                              const std::vector<std::string>& ids);
  Result<Page<AreaStore>> list_stores(const Scope& scope, std::string_view area_id,
                                      ListQuery query);
  Result<int64_t> count_stores(const Scope& scope, std::string_view area_id);
  Status rename_store(const Scope& scope, std::string_view id, const std::string& name,
                      Instant now);
  Status remove_store(const Scope& scope, std::string_view id);

  // What still uses an area or a store: campaign and key assignments naming it.
  struct Uses {
    int64_t campaigns = 0;
    int64_t keys = 0;
  };
  Result<Uses> uses_of_area(const Scope& scope, std::string_view area_id);
  Result<Uses> uses_of_store(const Scope& scope, std::string_view store_id);

  // Campaign assignments, oldest first: of some campaigns, or of every campaign (snapshots).
  Result<std::vector<StoredAssignment>> of_campaigns(const Scope& scope,
                                                     const std::vector<std::string>& ids);
  Result<std::vector<StoredAssignment>> all_campaign_assignments(const Scope& scope);
  // An assignment already there is left as it is (`false`).
  Result<bool> assign_campaign(const Scope& scope, const StoredAssignment& a);
  // `false` when the campaign has no such assignment.
  Result<bool> unassign_campaign(const Scope& scope, std::string_view campaign_id,
                                 const AccessAssignment& a);
  Status remove_campaign_assignments(const Scope& scope, std::string_view campaign_id);

  Status assign_key(const Scope& scope, const StoredAssignment& a);
  Result<std::vector<AccessAssignment>> of_key(std::string_view project_id,
                                               std::string_view key_id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
