// QualificationService: POST /v1/qualifications (spec 11), "which incentives may this customer
// get for this cart?".
//
// Candidates come from the catalog snapshot, so a change shows in the next call and nothing is
// read per campaign: promotion tiers, campaigns with codes (judged on their compiled code
// template: the customer may be given a code of them), promotion stacks (PROMOTION_STACKS), and
// the codes published to the customer (their wallet, one indexed query). Each candidate is
// decided on its own (no stacking between them) by the same engine as validation, with the
// customer's segments, the cart's collections and the counter rows the rules read, read once for
// all candidates. As the spec says, qualification leaves out the campaign's redemption count and
// discount budget, per-customer counts and the order-amount budget (they hold); AUDIENCE_ONLY
// judges the customer's profile rules only. Disabled campaigns, vouchers and tiers never qualify.
//
// Then filters (junction and/or over category_id, campaign_id, campaign_type, resource_id,
// resource_type, voucher_type, code, holder_role), sorting (DEFAULT: newest first; BEST_DEAL /
// LEAST_DEAL: by the discount the redeemable alone gives) and a created_at cursor.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/types.h"
#include "model/api_key.h"
#include "model/list_query.h"
#include "model/voucher.h"
#include "service/validation_service.h"
#include "service/wire.h"
#include "store/store.h"

namespace openpromo {

struct QualificationFilter {
  std::string field;
  FilterOp op = FilterOp::kIs;
  std::vector<std::string> values;
};

struct QualificationInput {
  engine::Request request;  // customer, order, metadata; no redeemables
  std::string scenario = "ALL";
  int limit = 5;  // 1..50
  std::optional<Instant> starting_after;
  std::vector<QualificationFilter> filters;
  bool filters_or = false;
  std::string sorting_rule = "DEFAULT";  // DEFAULT | BEST_DEAL | LEAST_DEAL
  std::optional<std::string> tracking_id;
};

struct QualifiedRedeemable {
  std::string id;      // the code for vouchers
  std::string object;  // campaign | voucher | promotion_tier | promotion_stack
  Instant created_at;
  std::string name;
  std::optional<std::string> banner;
  std::optional<std::string> campaign_id, campaign_name, campaign_type, category_id;
  std::optional<std::string> voucher_type, holder_role;
  std::shared_ptr<const engine::Incentive> incentive;  // null for stacks
  engine::RedeemableResult result;                     // alone on the cart
  std::vector<engine::RedeemableResult> stacked;       // a stack's tiers
  engine::OrderResult order;                           // the cart after it
  engine::Money discount = 0;                          // what it alone takes off the order
  std::optional<engine::Money> gift_balance;
  engine::Money locked_credits = 0;
  std::vector<std::string> rule_ids;  // its validation rules, in assignment order
};

struct QualificationRun {
  std::vector<QualifiedRedeemable> items;  // the page
  int64_t total = 0;
  bool has_more = false;
  engine::Request request;    // the order and customer as decided on
  engine::OrderResult order;  // the cart as sent, no discount
  engine::StackingRules stacking;
  std::string tracking_id;
};

class QualificationService {
 public:
  static constexpr int kMaxLimit = 50;
  static constexpr int64_t kMaxWallet = 200;  // codes of the customer considered

  QualificationService(Store& store, const Wire& wire, ValidationService& validations)
      : store_(store), wire_(wire), validations_(validations) {}

  Result<QualificationRun> qualify(const Principal& who, QualificationInput input);

 private:
  Store& store_;
  const Wire& wire_;
  ValidationService& validations_;
};

}  // namespace openpromo
