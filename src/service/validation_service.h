// ValidationService: POST /v1/validations and the legacy POST /v1/vouchers/{code}/validate.
//
// Resolves the request's redeemables from the store (vouchers by code or id with their campaign
// template, tiers, a stack into its tiers), reads their validation rules in one query, builds
// the engine's catalog and usage, and calls the pure engine::evaluate.
//
// Not yet read (later issues): redemption counters (no redemptions exist yet, so per-customer,
// per-period and budget counters are zero), customer segments, product collections, the
// project's stacking settings (the spec's defaults apply).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/types.h"
#include "model/api_key.h"
#include "store/store.h"

namespace openpromo {

struct ValidationRun {
  engine::Request request;  // with resolved redeemables
  engine::Decision decision;
  std::string tracking_id;
};

class ValidationService {
 public:
  explicit ValidationService(Store& store) : store_(store) {}

  // `request` as decoded from the body (redeemables unresolved).
  Result<ValidationRun> validate(const Principal& who, engine::Request request);

 private:
  Result<std::shared_ptr<const engine::Incentive>> voucher_incentive(const Principal& who,
                                                                     const Project& project,
                                                                     std::string_view code_or_id,
                                                                     engine::Usage& usage);
  Result<std::shared_ptr<const engine::Incentive>> tier_incentive(const Principal& who,
                                                                  std::string_view id);
  Result<std::vector<engine::Rule>> rules_of(const Principal& who,
                                             const std::vector<std::string>& object_ids);
  Result<std::optional<engine::CategoryRef>> category_of(const Principal& who,
                                                         const std::optional<std::string>& id);
  Result<TimeZone> zone_of(const Project& project);

  Store& store_;
  std::mutex zones_mutex_;
  std::unordered_map<std::string, TimeZone> zones_;
};

}  // namespace openpromo
