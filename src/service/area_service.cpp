#include "service/area_service.h"

#include <algorithm>
#include <set>

#include "core/crypto.h"
#include "service/key_service.h"
#include "store/area_repository.h"

namespace openpromo {
namespace {

// Reads (spec 14.2): admins and users; a restricted caller sees no areas nor stores.
Status may_read(const Principal& who) {
  if (who.role != Role::kRestricted) return {};
  return missing_permission("A restricted key may not read areas and stores");
}

Result<std::string> checked_name(std::optional<std::string> name, bool required) {
  if (!name) {
    if (required) return Error::invalid_payload("name is required");
    return std::string();
  }
  if (name->empty() || name->size() > 200) {
    return Error::invalid_payload("name has 1 to 200 characters");
  }
  return std::move(*name);
}

// 400 resource_in_use while campaigns or keys are assigned to the area or store.
Status refuse_if_assigned(const AreaRepository::Uses& uses, std::string_view type,
                          std::string_view id, std::string_view what) {
  if (uses.campaigns + uses.keys == 0) return {};
  return Error::resource_in_use(std::string(type), std::string(id),
                                "The " + std::string(what) + " is assigned to " +
                                    std::to_string(uses.campaigns) + " campaign(s) and " +
                                    std::to_string(uses.keys) + " key(s); unassign them first");
}

std::string describe(const AccessAssignment& a) {
  if (!a.area_store_id.empty()) return "store " + a.area_store_id;
  return (a.all_stores ? "all stores of area " : "area ") + a.area_id;
}

}  // namespace

Result<Area> AreaService::create(const Principal& who, std::optional<std::string> name) {
  OP_TRY(require_admin(who, "create areas"));
  OP_ASSIGN(std::string checked, checked_name(std::move(name), true));
  Area a;
  a.id = new_id("ar_");
  a.project_id = who.project_id;
  a.name = std::move(checked);
  a.created_at = now_utc();
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    AreaRepository areas(tx);
    OP_TRY(areas.lock_project(who.scope()));
    OP_ASSIGN(int64_t count, areas.count(who.scope()));
    if (count >= kMaxAreasPerProject) {
      return Error::invalid_payload("a project has at most " + std::to_string(kMaxAreasPerProject) +
                                    " areas");
    }
    return areas.insert(who.scope(), a);
  }));
  return a;
}

Result<Area> AreaService::get(const Principal& who, std::string_view id) {
  OP_TRY(may_read(who));
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, AreaRepository(tx).find(who.scope(), id));
  if (!found) return Error::not_found("area", std::string(id));
  return std::move(*found);
}

Result<Page<Area>> AreaService::list(const Principal& who, const ListQuery& query) {
  OP_TRY(may_read(who));
  return store_.in_snapshot(
      [&](UnitOfWork& tx) { return AreaRepository(tx).list(who.scope(), query); });
}

Result<Area> AreaService::update(const Principal& who, std::string_view id,
                                 std::optional<std::string> name) {
  OP_TRY(require_admin(who, "edit areas"));
  OP_ASSIGN(std::string checked, checked_name(std::move(name), false));
  return store_.in_write([&](UnitOfWork& tx) -> Result<Area> {
    AreaRepository areas(tx);
    if (!checked.empty()) OP_TRY(areas.rename(who.scope(), id, checked, now_utc()));
    OP_ASSIGN(auto found, areas.find(who.scope(), id));
    if (!found) return Error::not_found("area", std::string(id));
    return std::move(*found);
  });
}

Status AreaService::remove(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete areas"));
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    AreaRepository areas(tx);
    OP_ASSIGN(bool exists, areas.lock_area(who.scope(), id));
    if (!exists) return Error::not_found("area", std::string(id));
    OP_ASSIGN(int64_t stores, areas.count_stores(who.scope(), id));
    if (stores > 0) {
      return Error::resource_in_use(
          "area", std::string(id),
          "The area still has " + std::to_string(stores) + " store(s); delete them first");
    }
    OP_ASSIGN(auto uses, areas.uses_of_area(who.scope(), id));
    OP_TRY(refuse_if_assigned(uses, "area", id, "area"));
    return areas.remove(who.scope(), id);
  });
}

Result<AreaStore> AreaService::create_store(const Principal& who, std::string_view area_id,
                                            std::optional<std::string> name) {
  OP_TRY(require_admin(who, "create stores"));
  OP_ASSIGN(std::string checked, checked_name(std::move(name), true));
  AreaStore st;
  st.id = new_id("ars_");
  st.project_id = who.project_id;
  st.area_id = std::string(area_id);
  st.name = std::move(checked);
  st.created_at = now_utc();
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    AreaRepository areas(tx);
    OP_ASSIGN(bool exists, areas.lock_area(who.scope(), area_id));
    if (!exists) return Error::not_found("area", std::string(area_id));
    OP_ASSIGN(int64_t count, areas.count_stores(who.scope(), area_id));
    if (count >= kMaxStoresPerArea) {
      return Error::invalid_payload("an area has at most " + std::to_string(kMaxStoresPerArea) +
                                    " stores");
    }
    return areas.insert_store(who.scope(), st);
  }));
  return st;
}

Result<AreaStore> AreaService::get_store(const Principal& who, std::string_view area_id,
                                         std::string_view id) {
  OP_TRY(may_read(who));
  OP_ASSIGN(auto tx, store_.statements());
  AreaRepository areas(tx);
  OP_ASSIGN(auto area, areas.find(who.scope(), area_id));
  if (!area) return Error::not_found("area", std::string(area_id));
  OP_ASSIGN(auto found, areas.find_store(who.scope(), area_id, id));
  if (!found) return Error::not_found("area_store", std::string(id));
  return std::move(*found);
}

Result<Page<AreaStore>> AreaService::list_stores(const Principal& who, std::string_view area_id,
                                                 const ListQuery& query) {
  OP_TRY(may_read(who));
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<AreaStore>> {
    AreaRepository areas(tx);
    OP_ASSIGN(auto area, areas.find(who.scope(), area_id));
    if (!area) return Error::not_found("area", std::string(area_id));
    return areas.list_stores(who.scope(), area_id, query);
  });
}

Result<AreaStore> AreaService::update_store(const Principal& who, std::string_view area_id,
                                            std::string_view id, std::optional<std::string> name) {
  OP_TRY(require_admin(who, "edit stores"));
  OP_ASSIGN(std::string checked, checked_name(std::move(name), false));
  return store_.in_write([&](UnitOfWork& tx) -> Result<AreaStore> {
    AreaRepository areas(tx);
    OP_ASSIGN(auto found, areas.find_store(who.scope(), area_id, id));
    if (!found) return Error::not_found("area_store", std::string(id));
    if (!checked.empty()) {
      OP_TRY(areas.rename_store(who.scope(), id, checked, now_utc()));
      OP_ASSIGN(found, areas.find_store(who.scope(), area_id, id));
    }
    return std::move(*found);
  });
}

Status AreaService::remove_store(const Principal& who, std::string_view area_id,
                                 std::string_view id) {
  OP_TRY(require_admin(who, "delete stores"));
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    AreaRepository areas(tx);
    // The area's row held: an assignment naming this store waits for the delete, or is seen.
    OP_ASSIGN(bool exists, areas.lock_area(who.scope(), area_id));
    if (!exists) return Error::not_found("area", std::string(area_id));
    OP_ASSIGN(auto found, areas.find_store(who.scope(), area_id, id));
    if (!found) return Error::not_found("area_store", std::string(id));
    OP_ASSIGN(auto uses, areas.uses_of_store(who.scope(), id));
    OP_TRY(refuse_if_assigned(uses, "area_store", id, "store"));
    return areas.remove_store(who.scope(), id);
  });
}

Result<std::vector<AccessAssignment>> AreaService::resolve(UnitOfWork& tx, const Scope& scope,
                                                           const AssignmentIds& ids,
                                                           std::string_view field) {
  // Areas and stores are looked up project-wide: a restricted caller names them too.
  const Scope project = scope.project_wide();
  AreaRepository areas(tx);
  std::vector<AccessAssignment> out;
  auto add = [&](AccessAssignment a) {
    const bool seen = std::any_of(out.begin(), out.end(), [&](const AccessAssignment& b) {
      return b.area_id == a.area_id && b.area_store_id == a.area_store_id &&
             b.all_stores == a.all_stores;
    });
    if (!seen) out.push_back(std::move(a));
  };
  for (auto [list, all_stores, name] :
       {std::tuple{&ids.areas_ids, false, "areas_ids"},
        std::tuple{&ids.area_all_stores_ids, true, "area_all_stores_ids"}}) {
    for (const std::string& id : *list) {
      OP_ASSIGN(auto area, areas.find(project, id));
      if (!area) {
        Error e = Error::not_found("area", id);
        e.details = "Cannot find area with id " + id + " (" + std::string(field) + "." + name + ")";
        return e;
      }
      add(AccessAssignment{id, "", all_stores});
    }
  }
  OP_ASSIGN(auto stores, areas.stores_by_id(project, ids.area_stores_ids));
  for (const std::string& id : ids.area_stores_ids) {
    const auto it = std::find_if(stores.begin(), stores.end(),
                                 [&](const AreaStore& st) { return st.id == id; });
    if (it == stores.end()) {
      Error e = Error::not_found("area_store", id);
      e.details =
          "Cannot find area_store with id " + id + " (" + std::string(field) + ".area_stores_ids)";
      return e;
    }
    add(AccessAssignment{it->area_id, id, false});
  }
  return out;
}

Status AreaService::apply_to_campaign(UnitOfWork& tx, const Scope& scope,
                                      std::string_view campaign_id, const AccessSettings& settings,
                                      bool creating, Instant now) {
  const bool restricted = scope.restricted != nullptr;
  if (settings.assign.empty() && settings.unassign.empty()) {
    if (creating && restricted) {
      return Error::invalid_payload(
          "a restricted key must assign the campaign to its own areas or stores"
          " (access_settings.assign)");
    }
    return {};
  }
  if (settings.assign.size() > kMaxAssignments || settings.unassign.size() > kMaxAssignments) {
    return Error::invalid_payload("a campaign has at most " + std::to_string(kMaxAssignments) +
                                  " area and store assignments");
  }
  OP_ASSIGN(auto assign, resolve(tx, scope, settings.assign, "access_settings.assign"));
  OP_ASSIGN(auto unassign, resolve(tx, scope, settings.unassign, "access_settings.unassign"));
  for (const AccessAssignment& a : assign) {
    for (const AccessAssignment& u : unassign) {
      if (a.area_id == u.area_id && a.area_store_id == u.area_store_id &&
          a.all_stores == u.all_stores) {
        return Error::invalid_payload("access_settings assigns and unassigns " + describe(a) +
                                      " at once");
      }
    }
    if (restricted && !scope.restricted->covers(a)) {
      Error e = Error::forbidden("area", a.area_store_id.empty() ? a.area_id : a.area_store_id);
      e.details =
          "access_settings.assign: " + describe(a) + " is outside the key's areas and stores";
      return e;
    }
  }
  const Scope project = scope.project_wide();
  AreaRepository areas(tx);
  for (const AccessAssignment& u : unassign) {
    OP_ASSIGN(bool removed, areas.unassign_campaign(project, campaign_id, u));
    if (!removed) {
      return Error::invalid_payload("access_settings.unassign: the campaign is not assigned to " +
                                    describe(u));
    }
  }
  for (const AccessAssignment& a : assign) {
    StoredAssignment row{new_id("arsca_"), std::string(campaign_id), a, now};
    OP_TRY(areas.assign_campaign(project, row));
  }
  OP_ASSIGN(auto now_assigned, areas.of_campaigns(project, {std::string(campaign_id)}));
  if (now_assigned.size() > static_cast<size_t>(kMaxAssignments)) {
    return Error::invalid_payload("a campaign has at most " + std::to_string(kMaxAssignments) +
                                  " area and store assignments");
  }
  if (restricted && now_assigned.empty()) {
    return Error::invalid_payload(
        "a restricted key may not leave a campaign without areas or stores");
  }
  return {};
}

Status AreaService::assign_key(UnitOfWork& tx, const Scope& scope, std::string_view key_id,
                               const AssignmentIds& ids, Instant now) {
  if (ids.size() > kMaxAssignments) {
    return Error::invalid_payload("a restricted key has at most " +
                                  std::to_string(kMaxAssignments) + " area and store assignments");
  }
  OP_ASSIGN(auto assigned, resolve(tx, scope, ids, "assignments"));
  if (assigned.empty()) {
    return Error::invalid_payload(
        "a restricted key needs at least one area, store or all-stores assignment");
  }
  AreaRepository areas(tx);
  for (const AccessAssignment& a : assigned) {
    OP_TRY(
        areas.assign_key(scope, StoredAssignment{new_id("arska_"), std::string(key_id), a, now}));
  }
  return {};
}

}  // namespace openpromo
