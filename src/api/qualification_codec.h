// Wire codec of POST /v1/qualifications and /client/v1/qualifications (spec 11).
#pragma once

#include <string_view>

#include "core/error.h"
#include "core/json.h"
#include "service/qualification_service.h"

namespace openpromo::api {

struct QualificationOptions {
  bool expand_redeemable = false;
  bool expand_category = false;
  bool expand_validation_rules = false;
};

// customer, order, metadata, tracking_id, scenario, options {limit (1..50, default 5),
// starting_after, filters {junction, <field>: {conditions: {$op: value}}}, expand,
// sorting_rule}. 400 invalid_payload for unknown scenarios, sortings, fields or operators.
Result<QualificationInput> decode_qualification(const Json& body, QualificationOptions& options);

JsonObject encode_qualification(const QualificationRun& run, const QualificationOptions& options,
                                std::string_view request_id);

}  // namespace openpromo::api
