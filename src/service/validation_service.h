// ValidationService: POST /v1/validations and the legacy POST /v1/vouchers/{code}/validate.
//
// Definitions come from the catalog snapshot (service/catalog_cache.h): campaigns, tiers,
// stacks, categories and compiled rules. Per request the store is read for the catalog version
// and for each voucher (its row carries its own counters); then the pure engine::evaluate runs.
//
// Not yet read (later issues): redemption counters (no redemptions exist yet, so per-customer,
// per-period and budget counters are zero), customer segments, product collections, the
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
  explicit ValidationService(Store& store) : store_(store), catalog_(store) {}

  // `request` as decoded from the body (redeemables unresolved).
  Result<ValidationRun> validate(const Principal& who, engine::Request request);

 private:
  Result<std::shared_ptr<const engine::Incentive>> voucher_incentive(const Principal& who,
                                                                     const Project& project,
                                                                     const CatalogSnapshot& catalog,
                                                                     std::string_view code_or_id,
                                                                     engine::Usage& usage);

  Store& store_;
  CatalogCache catalog_;
};

}  // namespace openpromo
