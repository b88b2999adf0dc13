// ValidationService: POST /v1/validations and the legacy POST /v1/vouchers/{code}/validate.
//
// Definitions come from the catalog snapshot (service/catalog_cache.h): campaigns, tiers,
// stacks, categories and compiled rules. Per request the store is read for each voucher (its row
// carries its own counters) and, when the snapshot is not known fresh, for the catalog version;
// then the pure engine::evaluate runs. A voucher whose campaign, or a tier or stack id, the
// snapshot does not know makes it re-check the version once: it may have been created on another
// node a moment ago.
//
// Segments: static memberships and filters over the stored customer profile, evaluated per
// request. Product collections: cart lines resolved against the catalog in batched queries and
// tested against each collection. Not yet read (later issues): redemption counters (no
// redemptions exist yet, so per-customer, per-period and budget counters are zero) and the
// project's stacking settings (the spec's defaults apply).
#pragma once

#include <memory>
#include <string>

#include "engine/types.h"
#include "model/api_key.h"
#include "service/catalog_cache.h"
#include "store/store.h"

namespace openpromo {

struct ValidationRun {
  engine::Request request;  // with resolved redeemables
  engine::Decision decision;
  std::string tracking_id;
};

class ValidationService {
 public:
  explicit ValidationService(Store& store, CatalogCacheOptions catalog = {})
      : store_(store), catalog_(store, catalog) {}

  // `request` as decoded from the body (redeemables unresolved).
  Result<ValidationRun> validate(const Principal& who, engine::Request request);

  // The project's definitions were changed through this node: its next validation sees them.
  void catalog_changed(const std::string& project_id) { catalog_.changed(project_id); }
  const CatalogCache& catalog() const { return catalog_; }

 private:
  using SnapshotPtr = std::shared_ptr<const CatalogSnapshot>;
  // `catalog` may be replaced by a re-checked snapshot when the voucher's campaign is unknown.
  Result<std::shared_ptr<const engine::Incentive>> voucher_incentive(
      const Principal& who, const Project& project, SnapshotPtr& catalog, bool& refreshed,
      std::string_view code_or_id, engine::Usage& usage);

  Status add_segments(const Principal& who, const CatalogSnapshot& snapshot,
                      engine::Request& request);
  Status add_collections(const Principal& who, const CatalogSnapshot& snapshot,
                         engine::Request& request, engine::Catalog& catalog);

  Store& store_;
  CatalogCache catalog_;
};

}  // namespace openpromo
