// AreaService: areas and their stores (spec 14.1), and the one place assignments to them are
// checked and written: a campaign's `access_settings` (inside the campaign's own unit of work)
// and a restricted key's assignments.
//
// Who may do what (spec 14.2): admins write areas and stores; admins and users read them;
// restricted callers neither. A restricted caller may assign a campaign only within its own
// scope (`AreaGrants::covers`), and must leave the campaigns it creates or edits assigned.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/api_key.h"
#include "model/area.h"
#include "model/list_query.h"
#include "store/store.h"

namespace openpromo {

class AreaService {
 public:
  explicit AreaService(Store& store) : store_(store) {}

  Result<Area> create(const Principal& who, std::optional<std::string> name);
  Result<Area> get(const Principal& who, std::string_view id);
  Result<Page<Area>> list(const Principal& who, const ListQuery& query);
  Result<Area> update(const Principal& who, std::string_view id, std::optional<std::string> name);
  // Refused (400 resource_in_use) while the area has stores, or campaigns or keys assigned.
  Status remove(const Principal& who, std::string_view id);

  Result<AreaStore> create_store(const Principal& who, std::string_view area_id,
                                 std::optional<std::string> name);
  Result<AreaStore> get_store(const Principal& who, std::string_view area_id, std::string_view id);
  Result<Page<AreaStore>> list_stores(const Principal& who, std::string_view area_id,
                                      const ListQuery& query);
  Result<AreaStore> update_store(const Principal& who, std::string_view area_id,
                                 std::string_view id, std::optional<std::string> name);
  // Refused (400 resource_in_use) while campaigns or keys are assigned to the store.
  Status remove_store(const Principal& who, std::string_view area_id, std::string_view id);

  // The assignments `ids` name, checked against the project's areas and stores (unknown or
  // another project's: 404 naming the field), without duplicates.
  static Result<std::vector<AccessAssignment>> resolve(UnitOfWork& tx, const Scope& scope,
                                                       const AssignmentIds& ids,
                                                       std::string_view field);
  // Applies `settings` to campaign `campaign_id` in `tx`: unassignments first (each must be
  // assigned), then assignments (at most kMaxAssignments in all). `creating`: a restricted
  // caller must assign the new campaign within its scope.
  static Status apply_to_campaign(UnitOfWork& tx, const Scope& scope, std::string_view campaign_id,
                                  const AccessSettings& settings, bool creating, Instant now);
  // A restricted key's assignments, checked as above (1 to kMaxAssignments).
  static Status assign_key(UnitOfWork& tx, const Scope& scope, std::string_view key_id,
                           const AssignmentIds& ids, Instant now);

 private:
  Store& store_;
};

}  // namespace openpromo
