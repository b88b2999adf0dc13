// ValidationService: POST /v1/validations and the legacy POST /v1/vouchers/{code}/validate.
//
// Definitions come from the catalog snapshot (service/catalog_cache.h), compiled once per
// snapshot: campaigns with their code templates, tiers, stacks, categories and rules. Per
// request the store is read for each voucher (its row carries its own counters) and, when the
// snapshot is not known fresh, for the catalog version; then the pure engine::evaluate runs on
// the snapshot's engine catalog. A voucher whose campaign, or a tier or stack id, the snapshot
// does not know makes it re-check the version once: it may have been created on another node a
// moment ago.
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
#include "service/wire.h"
#include "store/store.h"

namespace openpromo {

struct ValidationRun {
  engine::Request request;  // with resolved redeemables
  engine::Decision decision;
  std::string tracking_id;
  std::shared_ptr<const CatalogSnapshot> catalog;  // what the decision was made on
};

class ValidationService {
 public:
  ValidationService(Store& store, const Wire& wire, CatalogCacheOptions catalog = {})
      : store_(store), wire_(wire), catalog_(store, std::move(catalog)) {}

  // `request` as decoded from the body (redeemables unresolved).
  Result<ValidationRun> validate(const Principal& who, engine::Request request);

  const CatalogCache& catalog() const { return catalog_; }
  CatalogCache& catalog() { return catalog_; }

 private:
  using SnapshotPtr = std::shared_ptr<const CatalogSnapshot>;
  Status add_segments(UnitOfWork& tx, const Principal& who, const CatalogSnapshot& snapshot,
                      engine::Request& request);
  Status add_collections(UnitOfWork& tx, const Principal& who, const CatalogSnapshot& snapshot,
                         engine::Request& request);

  Store& store_;
  const Wire& wire_;
  CatalogCache catalog_;
};

}  // namespace openpromo
