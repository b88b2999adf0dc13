// ValidationService: POST /v1/validations and the legacy POST /v1/vouchers/{code}/validate.
//
// Definitions come from the catalog snapshot (service/catalog_cache.h), compiled once per
// snapshot. Per request the store is read for what the decision needs besides them
// (service/decision_inputs.h): each voucher's row with what other sessions hold on it, the
// stored customer with its segments, the cart lines' collections, and the usage counters the
// rules read (one query, none when no rule reads one). Then the pure engine::evaluate runs on
// the snapshot's engine catalog.
//
// Session locks (spec 9.6): `session: {type: "LOCK"}` makes the validation reserve, for each
// applicable voucher, one use and the gift credits it would spend, until the TTL passes, a
// redemption with the same key succeeds, or the session is released. The vouchers are locked
// while the decision is made, so Q sessions on a code of quantity Q refuse the next one.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "engine/types.h"
#include "model/api_key.h"
#include "service/catalog_cache.h"
#include "service/wire.h"
#include "store/store.h"

namespace openpromo {

// `session` of a validation body (spec 9.6), checked by the codec.
struct SessionInput {
  bool lock = false;
  std::optional<std::string> key;  // the caller's own key; generated when absent
  int64_t ttl = 7;
  std::string ttl_unit = "DAYS";
  int64_t ttl_millis = 7LL * 24 * 3600 * 1000;
};

struct ValidationRun {
  engine::Request request;  // with resolved redeemables
  engine::Decision decision;
  std::string tracking_id;
  std::shared_ptr<const CatalogSnapshot> catalog;  // what the decision was made on
  std::optional<std::string> session_key;          // a LOCK session that now holds reservations
};

class ValidationService {
 public:
  // Longest session a validation may open.
  static constexpr int64_t kMaxSessionMillis = 366LL * 24 * 3600 * 1000;

  ValidationService(Store& store, const Wire& wire, CatalogCacheOptions catalog = {})
      : store_(store), wire_(wire), catalog_(store, std::move(catalog)) {}

  // `request` as decoded from the body (redeemables unresolved).
  Result<ValidationRun> validate(const Principal& who, engine::Request request,
                                 const SessionInput& session = {});
  // DELETE /vouchers/{code}/sessions/{key}: the session's reservation on the voucher goes.
  Status release_session(const Principal& who, std::string_view code, std::string_view key);

  const CatalogCache& catalog() const { return catalog_; }
  CatalogCache& catalog() { return catalog_; }

 private:
  Result<ValidationRun> validate_and_lock(const Principal& who, engine::Request request,
                                          std::shared_ptr<const CatalogSnapshot> snapshot,
                                          const SessionInput& session, Instant now);

  Store& store_;
  const Wire& wire_;
  CatalogCache catalog_;
};

}  // namespace openpromo
