// CatalogCache: an immutable snapshot of a project's definitions for the engine (campaigns,
// promotion tiers and stacks, categories, compiled validation rules and their assignments),
// swapped atomically when the definitions change.
//
// Freshness: the store keeps a per-project catalog version that database triggers move with
// every committed change (migration 8). The version is read before a snapshot is loaded, so a
// snapshot is never labelled newer than what it holds. Readers share snapshots without locking.
// - SQLite (one process): current() reads the version on every call (an in-process indexed read)
//   and rebuilds when it moved.
// - PostgreSQL (many nodes): the triggers also NOTIFY, and a listener marks the project changed.
//   A snapshot is trusted without any read while no notification arrived and its last version
//   check is younger than `recheck_interval`, the fallback for a lost notification. Changes made
//   through this node call changed() so its own next request sees them at once; ids missing from
//   a trusted snapshot (created on another node a moment ago) are settled by refresh().
#pragma once

#include <chrono>
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
#include "service/collection_service.h"
#include "service/segment_service.h"
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
  // Segments and product collections with their filters compiled, in creation order.
  std::vector<CompiledSegment> segments;
  std::vector<CompiledCollection> collections;
  // Promotion tiers as the engine sees them, built once per snapshot.
  std::unordered_map<std::string, std::shared_ptr<const engine::Incentive>> tier_incentives;

  // The rules of `object_ids`, each rule once.
  std::vector<engine::Rule> rules_of(const std::vector<std::string>& object_ids) const;
};

struct CatalogCacheOptions {
  // Longest time a snapshot is trusted without a version check when notifications are on.
  std::chrono::milliseconds recheck_interval{500};
  bool use_notifications = true;    // false: check the version on every call, as on SQLite
  bool drop_notifications = false;  // tests: listen but ignore, as if every one were lost
};

class CatalogCache {
 public:
  explicit CatalogCache(Store& store, CatalogCacheOptions options = {});
  ~CatalogCache();
  CatalogCache(const CatalogCache&) = delete;
  CatalogCache& operator=(const CatalogCache&) = delete;

  Result<std::shared_ptr<const CatalogSnapshot>> current(const Project& project);
  // Like current(), but always checks the version first: for an id the snapshot does not know.
  Result<std::shared_ptr<const CatalogSnapshot>> refresh(const Project& project);
  // The project's definitions changed (through this node, or a notification from another).
  void changed(const std::string& project_id);
  void changed_everywhere();

  struct Stats {
    uint64_t version_checks = 0;
    uint64_t rebuilds = 0;
    uint64_t notifications = 0;
  };
  Stats stats() const;
  bool notified() const { return subscription_ != nullptr; }

 private:
  struct Entry {
    std::shared_ptr<const CatalogSnapshot> snapshot;
    uint64_t change_seq = 0;   // moves with every changed() of the project
    uint64_t checked_seq = 0;  // change_seq when the version was last checked
    std::chrono::steady_clock::time_point checked_at;
  };
  Result<std::shared_ptr<const CatalogSnapshot>> check(const Project& project);
  Result<std::shared_ptr<const CatalogSnapshot>> load(const Project& project, int64_t version);

  Store& store_;
  CatalogCacheOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> by_project_;
  std::unordered_map<std::string, TimeZone> zones_;
  Stats stats_;
  std::unique_ptr<sql::Subscription> subscription_;  // last: stops before the members go
};

}  // namespace openpromo
