// Wire codec of redemptions and rollbacks (spec 9.3-9.5, contract tags redemptions and
// client-side): request bodies -> service inputs, records and outcomes -> Voucherify's JSON.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "api/query_string.h"
#include "api/validation_codec.h"
#include "core/error.h"
#include "core/json.h"
#include "service/redemption_service.h"

namespace openpromo::api {

// POST /redemptions: the validation body (redeemables, order, customer, session, metadata,
// options) plus tracking_id. 400s as validations give them, and for a customer or order that is
// not an object.
Result<RedemptionInput> decode_redemption(const Json& body, ValidationOptions& options);
// POST /vouchers/{code}/redemption and /promotions/tiers/{id}/redemption: customer, order,
// metadata, gift.credits (vouchers), session at the top level; one redeemable.
Result<RedemptionInput> decode_legacy_redemption(std::string_view object, std::string_view id,
                                                 const Json& body);
// POST /redemptions/{id}/rollback(s): `reason` and `tracking_id` from the query (or the body),
// `customer`, `order` and `metadata` from the body.
Result<RollbackInput> decode_rollback(std::string_view id, bool stacked, const QueryParams& query,
                                      const Json& body);
// GET /redemptions filters (spec 9.4): result, campaign, customer, order, voucher.
Result<RedemptionFilter> decode_redemption_filter(const QueryParams& query);

// What a redemption records of its context (service/wire.h).
JsonObject redemption_order_json(const engine::OrderResult& result, const engine::Order& sent,
                                 const Order& saved);
JsonObject redeemable_snapshot_json(const engine::Incentive& incentive, const Voucher* voucher);
JsonObject redemption_customer_json(const Customer& customer);

JsonObject redemption_json(const RedemptionDetails& details);
JsonObject rollback_json(const RedemptionRollback& rollback);

// The answers: POST /redemptions (stacked) or the legacy single redemption; rollbacks. A
// failure is the error JSON with the failed record's id (`request_id` is this request's).
Answer encode_redemption_outcome(const RedemptionOutcome& outcome, std::string_view request_id);
Answer encode_rollback_outcome(const RollbackOutcome& outcome, bool stacked,
                               std::string_view request_id);

}  // namespace openpromo::api
