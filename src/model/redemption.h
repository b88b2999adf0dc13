// Redemptions (spec 9.3-9.6): what was consumed, how to give it back, and what is reserved.
//
// A redemption through POST /redemptions is a parent (`related_object_type: redemption`) with
// one child per applied redeemable; the legacy single-code endpoints make one redemption with no
// parent. A failed attempt is one row with result FAILURE (`rf_...`). Each successful child
// records the effects it had (`effects`: the counter deltas and the periods they were counted
// in, written by the service) so a rollback takes back exactly those.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "model/order.h"

namespace openpromo {

struct Redemption {
  std::string id;  // r_... (rf_... when failed)
  std::string project_id;
  std::optional<std::string> parent_id;  // children: their parent
  std::string result = "SUCCESS";        // SUCCESS | FAILURE
  std::string status = "SUCCEEDED";      // SUCCEEDED | FAILED | ROLLED_BACK
  std::string related_object_type;       // voucher | promotion_tier | redemption
  std::optional<std::string> related_object_id;
  std::optional<std::string> campaign_id;
  std::optional<std::string> customer_id;
  std::optional<std::string> order_id;
  std::optional<std::string> api_key_id;
  // The calling key's store, when the key speaks for exactly one (per-store reports).
  std::optional<std::string> area_store_id;
  std::optional<std::string> session_key;
  std::optional<std::string> tracking_id;
  std::optional<int64_t> gift_amount;  // credits spent (the API's `amount`)
  int64_t discount_amount = 0;         // the discount it gave (children, singles)
  int64_t order_amount = 0;            // the order's amount before discounts
  std::optional<std::string> failure_code, failure_message;
  JsonObject effects;   // counter deltas and periods (service/redemption_service.cpp)
  JsonObject document;  // metadata, order, customer and redeemable snapshots, channel
  Instant created_at;
  std::optional<Instant> rolled_back_at;
};

struct RedemptionRollback {
  std::string id;  // rr_...
  std::string project_id;
  std::string redemption_id;             // the redemption it took back
  std::optional<std::string> parent_id;  // children of a stacked rollback: their parent rollback
  std::string result = "SUCCESS";        // SUCCESS | FAILURE (rrf_...)
  std::string related_object_type;       // the redemption's: voucher | promotion_tier | redemption
  std::optional<std::string> campaign_id;
  std::optional<std::string> reason, tracking_id, customer_id;
  std::optional<int64_t> gift_amount;  // credits refunded (shown negative)
  int64_t discount_amount = 0;         // the discount taken back
  int64_t order_amount = 0;
  std::optional<std::string> failure_code;
  JsonObject document;  // metadata, order and redeemable snapshots
  Instant created_at;
};

// A validation session's reservation on one voucher (spec 9.6), active until `expires_at`.
struct SessionLock {
  std::string session_key;
  std::string voucher_id;
  int64_t quantity = 1;
  int64_t gift_credits = 0;
  int64_t loyalty_points = 0;
  Instant created_at, expires_at;
};

// What active sessions hold on one voucher, summed.
struct Reserved {
  int64_t quantity = 0;
  int64_t gift_credits = 0;
};

// One row of usage_counters, as stored (engine/usage.h says what the columns mean).
struct UsageCounter {
  std::string key;
  int64_t count = 0, customers = 0;
  int64_t order_amount = 0, discount_amount = 0, gift_amount = 0;
  int64_t day_period = 0, day_count = 0, day_customers = 0;
  int64_t week_period = 0, week_count = 0, week_customers = 0;
  int64_t month_period = 0, month_count = 0, month_customers = 0;
};

// The first answer to a request sent with an Idempotency-Key (ours).
struct IdempotentResponse {
  std::string request_hash;
  int status = 200;
  std::string body;
  Instant created_at;
};

// Filters of GET /redemptions (spec 9.4).
// Per-store reports (ours, spec 14.3): redemptions made by keys of one store, or of any store
// of one area (the store the calling key was assigned to, recorded on each redemption).
struct StoreCut {
  std::optional<std::string> area_id, area_store_id;
};

struct RedemptionFilter {
  std::optional<std::string> result;       // SUCCESS | FAILURE
  std::optional<std::string> campaign_id;  // children of its vouchers and tiers
  std::optional<std::string> customer_id;
  std::optional<std::string> order_id;
  std::optional<std::string> related_object_id;  // one voucher or tier
  std::optional<Instant> created_after, created_before;
  StoreCut store;
};

// Redemption counters of one customer (summary.redemptions, spec 16.1).
struct CustomerRedemptionSummary {
  int64_t total_redeemed = 0, total_failed = 0, total_succeeded = 0, total_rolled_back = 0;
  int64_t total_rollback_failed = 0, total_rollback_succeeded = 0;
  int64_t gift_redeemed_amount = 0;
};

// What a customer's `summary` shows: order and redemption counters.
struct CustomerSummary {
  OrderSummary orders;
  CustomerRedemptionSummary redemptions;
};

// Redemption counters of one campaign within a time range (GET /campaigns/{id}/summary).
struct CampaignRedemptionSummary {
  int64_t redemptions_succeeded = 0, redemptions_failed = 0;
  int64_t rollbacks_succeeded = 0, rollbacks_failed = 0;
  int64_t discounted_amount = 0, rolledback_discounted_amount = 0;
  int64_t orders_amount = 0, orders_rolledback_amount = 0;
};

}  // namespace openpromo
