// The engine: a pure function from definitions, counters and a request to a decision.
//
// No I/O, no clock, no globals: `now` is an argument, the catalog and usage are plain values. The
// same function serves validation (and, later, redemption, which commits the decision's effects
// in one guarded transaction) and is what tests/scenarios/ and bench/ call directly.
#pragma once

#include "engine/types.h"

namespace openpromo::engine {

// The request's own shape problems (spec 9.1 / 10.4 step 0): duplicated redeemables, a stack
// mixed with others, too many redeemables, amounts that contradict the items. These are 400s,
// not decisions. REQUIRES nothing else: evaluate() calls it first and returns its error.
Status check_request(const Catalog& catalog, const Request& request);

// Decides every redeemable of `request` (spec 10.4). REQUIRES: check_request passed.
Decision evaluate(const Catalog& catalog, const Usage& usage, const Request& request, Instant now);

// The counter row `read` names for `incentive` in `request` (its campaign's rows for campaign
// reads, the stored customer's or the calling key's for per-subject reads); nullopt when the
// subject is unknown (a customer never stored has no counters).
std::optional<std::string> counter_row_for(const CounterRead& read, const Incentive& incentive,
                                           const Request& request);
// Every counter row the rules of the request's resolved incentives read, each once, sorted: what
// a validation reads (one query), nothing when no rule reads a counter.
std::vector<std::string> counter_rows_read(const Request& request);

// Whether an order line is the product/SKU/collection `object`/`id`/`source_id` names (an empty
// object matches product or SKU ids). Shared by item targeting and the rule context.
bool line_matches(const Catalog& catalog, const OrderItem& item, std::string_view object,
                  std::string_view id, std::string_view source_id);

}  // namespace openpromo::engine
