// CatalogCache: an immutable snapshot of a project's definitions, compiled for the engine
// (engine::Catalog: campaigns with their code templates, promotion tiers and stacks, categories,
// compiled validation rules and their assignments, product collections), plus the compiled
// segment and collection filters; swapped atomically when the definitions change.
//
// Fail closed: a stored rule, filter or definition that does not compile (an older engine's, or
// edited in the database) does not vanish from the snapshot. It is kept as broken, which makes
// every incentive that uses it inapplicable with `definition_unreadable`; a rule that names a
// segment or collection whose filter is broken is broken too. Each one found is reported to
// `on_broken` (the App logs it and counts it in /metrics).
//
// Freshness: the store keeps a per-project catalog version that database triggers move with
// every committed change (store/catalog_tables.h). A snapshot is loaded in one read snapshot of
// the database, version included, so it is never labelled newer than what it holds. Readers
// share snapshots without locking.
// - SQLite (one process): current() reads the version on every call (an in-process indexed read)
//   and rebuilds when it moved.
// - PostgreSQL (many nodes): the triggers also NOTIFY, and a listener marks the project changed.
//   A snapshot is trusted without any read while no notification arrived and its last version
//   check is younger than `recheck_interval`, the fallback for a lost notification. Units of
//   work that change a catalog table on this node mark it changed when they commit, so this
//   node's own next request sees the change at once; ids missing from a trusted snapshot
//   (created on another node a moment ago) are settled by refresh().
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/geo.h"
#include "engine/types.h"
#include "model/campaign.h"
#include "model/category.h"
#include "model/location.h"
#include "model/project.h"
#include "model/promotion.h"
#include "model/stacking.h"
#include "model/validation_rule.h"
#include "service/collection_service.h"
#include "service/segment_service.h"
#include "store/store.h"

namespace openpromo {

struct CatalogSnapshot {
  int64_t version = 0;
  engine::Catalog engine;                               // compiled incentives, shared by requests
  std::unordered_map<std::string, Campaign> campaigns;  // live, by id (vouchers resolve on them)
  // Tiers and stacks as stored, by id (qualification shows their names, banners and dates).
  std::unordered_map<std::string, PromotionTier> tiers;
  std::unordered_map<std::string, PromotionStack> stacks;
  // A stack's tiers as it applies them, by stack id then tier id: a tier without a category of
  // its own takes the stack's (spec 10.3: tiers and stacks may have their own category), then
  // its campaign's.
  std::unordered_map<std::string,
                     std::unordered_map<std::string, std::shared_ptr<const engine::Incentive>>>
      stack_tiers;
  // Segments and product collections with their filters compiled, in creation order.
  std::vector<CompiledSegment> segments;
  std::vector<CompiledCollection> collections;
  // The project's locations, compiled once with their R-tree; segment and collection filters
  // that name locations hold sets of it.
  std::shared_ptr<const engine::LocationIndex> locations;
  // Customer metadata keys location conditions of segments read ("customer_location"): the
  // request's coordinates, which a redemption's customer upsert does not store (spec 15).
  std::vector<std::string> customer_location_keys;
  // What could not be read: kind (validation_rule, segment, collection, campaign,
  // promotion_tier) and a line saying which and why.
  struct Broken {
    std::string kind, what;
  };
  std::vector<Broken> broken;
};

struct CatalogCacheOptions {
  // Longest time a snapshot is trusted without a version check when notifications are on.
  std::chrono::milliseconds recheck_interval{500};
  bool use_notifications = true;    // false: check the version on every call, as on SQLite
  bool drop_notifications = false;  // tests: listen but ignore, as if every one were lost
  // Told of each broken definition a snapshot load finds: (project id, what, kind).
  std::function<void(const std::string&, const std::string&, std::string_view)> on_broken = nullptr;
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
  Result<std::shared_ptr<const CatalogSnapshot>> load(const Project& project);

  Store& store_;
  CatalogCacheOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> by_project_;
  std::unordered_map<std::string, TimeZone> zones_;
  Stats stats_;
  int listener_ = 0;
  std::unique_ptr<sql::Subscription> subscription_;  // last: stops before the members go
};

// Compiles a project's definitions into a snapshot (no I/O): what load() does after reading
// them. Exposed for tests and benchmarks.
struct CatalogRows {
  std::vector<Category> categories;
  std::vector<Campaign> campaigns;
  std::vector<PromotionTier> tiers;
  std::vector<PromotionStack> stacks;
  std::vector<ValidationRule> rules;
  std::vector<RuleAssignment> assignments;
  std::vector<Segment> segments;
  std::vector<ProductCollection> collections;
  std::vector<Location> locations;
  std::optional<StackingSettings> stacking;
};
std::shared_ptr<CatalogSnapshot> compile_catalog(CatalogRows rows, const TimeZone& zone,
                                                 int64_t version, int week_start = 1);

}  // namespace openpromo
