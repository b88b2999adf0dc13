// CatalogCache: an immutable snapshot of a project's definitions for the engine (campaigns,
// promotion tiers and stacks, categories, compiled validation rules and their assignments),
// swapped atomically when the definitions change.
//
// Freshness: the store keeps a per-project catalog version that database triggers move with
// every committed change (migration 8). current() reads the version (one indexed read) and
// rebuilds the snapshot when it moved, so a change made on any node is used by every node on its
// next request. The version is read before the snapshot is loaded, so a snapshot is never labelled
// newer than what it holds. Readers share snapshots without locking (shared_ptr).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/types.h"
#include "model/campaign.h"
#include "model/project.h"
#include "model/promotion.h"
#include "store/store.h"

namespace openpromo {

struct CatalogSnapshot {
  int64_t version = 0;
  TimeZone zone;
  std::unordered_map<std::string, Campaign> campaigns;  // live (not binned), by id
  std::unordered_map<std::string, PromotionTier> tiers;
  std::unordered_map<std::string, PromotionStack> stacks;
  std::unordered_map<std::string, engine::CategoryRef> categories;
  std::unordered_map<std::string, engine::Rule> rules;  // compiled, by id
  // Object (campaign, voucher, tier) id -> ids of the rules assigned to it, in assignment order.
  std::unordered_map<std::string, std::vector<std::string>> rules_by_object;
  // Promotion tiers as the engine sees them, built once per snapshot.
  std::unordered_map<std::string, std::shared_ptr<const engine::Incentive>> tier_incentives;

  // The rules of `object_ids`, each rule once.
  std::vector<engine::Rule> rules_of(const std::vector<std::string>& object_ids) const;
};

class CatalogCache {
 public:
  explicit CatalogCache(Store& store) : store_(store) {}

  Result<std::shared_ptr<const CatalogSnapshot>> current(const Project& project);

 private:
  Result<std::shared_ptr<const CatalogSnapshot>> load(const Project& project, int64_t version);

  Store& store_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CatalogSnapshot>> by_project_;
  std::unordered_map<std::string, TimeZone> zones_;
};

}  // namespace openpromo
