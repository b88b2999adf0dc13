// Wire codec of the validation endpoints (spec 9.1-9.2): request JSON -> engine::Request, and
// engine::Decision -> Voucherify's response JSON. Used by the HTTP routes and, in-process, by the
// scenario runner (tests/scenarios), so scenarios check the same bytes clients receive.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "engine/types.h"
#include "service/validation_service.h"

namespace openpromo::api {

struct ValidationOptions {
  std::vector<std::string> expand;  // order, redeemable, category, explain
  bool expands(std::string_view what) const;
  bool session_lock = false;
  SessionInput session;  // checked: key shape, ttl and unit
};

// `session` of a validation or redemption body (spec 9.6): type LOCK, an optional key (at most
// 200 characters of letters, digits and `_-.:@`), ttl and ttl_unit. 400 invalid_payload.
Result<SessionInput> decode_session(const Json* value);

// Parses the body of POST /v1/validations (redeemables unresolved: `incentive` is null; a
// promotion_stack stays one ref for the caller to expand). 400s: invalid_payload,
// invalid_redeemables, invalid_amount, invalid_order.
Result<engine::Request> decode_validation_request(const Json& body, ValidationOptions& options);

// The `order` of a validation or redemption body as the engine reads it (null or absent: an empty
// order). 400s: invalid_order (shape), invalid_amount (money, amounts that contradict the lines).
Result<engine::Order> decode_order(const Json* value);

// The `customer` of a validation, redemption or qualification body as the engine reads it.
engine::Customer decode_customer(const Json* value);

// Parses the legacy single-code body (`POST /v1/vouchers/{code}/validate`): customer, order,
// metadata, gift.credits at the top level.
Result<engine::Request> decode_legacy_validation(std::string_view code, const Json& body);

struct ValidationIds {
  std::string validation_id;  // valid_...
  std::string tracking_id;    // track_...
  std::string request_id;     // for the errors inside results
};

// The response of POST /v1/validations as text, written directly (no tree: see json_writer.h);
// encode_validation is the same parsed, for in-process callers.
std::string validation_text(const engine::Decision& decision, const engine::Request& request,
                            const ValidationOptions& options, const ValidationIds& ids);
JsonObject encode_validation(const engine::Decision& decision, const engine::Request& request,
                             const ValidationOptions& options, const ValidationIds& ids);
JsonObject encode_legacy_validation(const engine::Decision& decision,
                                    const engine::Request& request, const ValidationIds& ids);
JsonObject encode_order(const engine::OrderResult& order, const engine::Order& sent);
class JsonWriter;
void write_order(JsonWriter& w, const engine::OrderResult& order, const engine::Order& sent);
// Pieces of the redeemable JSON that validations, redemptions and qualifications share.
JsonObject list_of(JsonArray data);  // {object: list, data_ref: data, total, data}
JsonArray targets_json(const std::vector<engine::Target>& targets);
JsonObject discount_json(const engine::Incentive& inc);
JsonArray categories_json(const engine::Incentive& inc, const engine::StackingRules& s);
JsonObject error_json(const engine::Failure& f, const std::string& request_id);

// One redeemable of a decision as validations show it (redemptions reuse it for their
// inapplicable and skipped lists).
JsonObject redeemable_json(const engine::RedeemableResult& r, const engine::Request& request,
                           const engine::Decision& decision, const ValidationOptions& options,
                           const ValidationIds& ids);

}  // namespace openpromo::api
