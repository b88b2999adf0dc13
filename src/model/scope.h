// Scope: which part of the data a caller may see and change, as one value.
//
// A scope is one project, narrowed for restricted callers (spec 14) to the areas and stores their
// key is assigned to. Every repository call takes a Scope first and turns it into SQL in one place
// (store/scope_sql.h); what validation decides on the in-memory catalog snapshot asks the same
// value (sees/owns below), and a test holds the two translations to the same answers.
//
// Levels (spec 14.1): an assignment is to an area itself, to "all stores of an area" (stores
// created later included), or to one store. Visibility (spec 14.2, "overlap at the same level"):
//   - an area assignment meets only an area assignment of the same area (area access does not
//     reach its stores, nor store access the area);
//   - the store level: "all stores of X" meets "all stores of X" and every store of X; a store
//     meets itself and "all stores of" its area.
// A caller sees (and may use) a campaign when one of its assignments meets one of the campaign's;
// it owns it (may edit or delete it) when each of the campaign's assignments is covered by one of
// its own: an area by the same area, "all stores of X" by "all stores of X" only (a list of
// today's stores does not cover tomorrow's), a store by itself or by "all stores of" its area. A
// campaign without assignments is seen by no restricted caller.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/time.h"

namespace openpromo {

// One assignment of a campaign or a key: `area_store_id` empty unless at the store level.
struct AccessAssignment {
  std::string area_id;
  std::string area_store_id;
  bool all_stores = false;
};

// One stored assignment of a campaign (arsca_...) or of a key.
struct StoredAssignment {
  std::string id;
  std::string owner_id;  // the campaign or the key
  AccessAssignment at;
  Instant created_at;
};

// What a restricted caller is assigned to, by level.
struct AreaGrants {
  std::vector<std::string> areas;             // area level
  std::vector<std::string> all_stores_of;     // "all stores of" these areas
  std::vector<std::string> stores;            // individual stores
  std::vector<std::string> areas_of_stores;   // the areas of `stores`
  std::vector<AccessAssignment> assignments;  // as assigned, for creation checks

  static AreaGrants of(const std::vector<AccessAssignment>& assignments);
  // Whether the assignment is one of this caller's own, or covered by one (creation).
  bool covers(const AccessAssignment& a) const;
  bool meets(const AccessAssignment& a) const;
};

struct Scope {
  std::string project_id;
  // Null: every campaign of the project (admin and user keys).
  std::shared_ptr<const AreaGrants> restricted;

  static Scope of_project(std::string project_id) { return Scope{std::move(project_id), nullptr}; }
  // The project without the area restriction: for background work the engine does for everyone
  // (catalog snapshots) and for definitions that are global (customers, products, rules).
  Scope project_wide() const { return Scope{project_id, nullptr}; }

  bool sees(const std::vector<AccessAssignment>& campaign) const;
  bool owns(const std::vector<AccessAssignment>& campaign) const;
  // The same over a campaign's stored assignments (the catalog snapshot holds them).
  bool sees(const std::vector<StoredAssignment>& campaign) const;
};

}  // namespace openpromo
