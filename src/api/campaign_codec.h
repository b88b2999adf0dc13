// Wire shapes of campaigns, vouchers and async actions (contract tags campaigns, vouchers,
// async-actions), and request-body readers for them.
#pragma once

#include <boost/json/object.hpp>
#include <optional>

#include "core/error.h"
#include "model/async_action.h"
#include "model/campaign.h"
#include "model/category.h"
#include "model/promotion.h"
#include "service/campaign_service.h"
#include "service/promotion_service.h"
#include "service/voucher_service.h"

namespace openpromo::api {

Result<CampaignInput> read_campaign_input(const boost::json::object& body);
Result<VoucherInput> read_voucher_input(const boost::json::object& body);

// `tiers`: a PROMOTION campaign's tiers for its `promotion` list (nullptr: an empty list).
boost::json::object campaign_json(const Campaign& c, const std::optional<Category>& category,
                                  const std::vector<PromotionTier>* tiers = nullptr);
Result<TierInput> read_tier_input(const boost::json::object& body);
Result<StackInput> read_stack_input(const boost::json::object& body);
boost::json::object tier_json(const PromotionTier& t, const std::optional<Campaign>& campaign);
boost::json::object stack_json(const PromotionStack& s);
boost::json::object voucher_json(const VoucherView& v);
boost::json::object async_action_json(const AsyncAction& a);
boost::json::object balance_json(const VoucherView& v, int64_t amount);
boost::json::object voucher_transaction_json(const VoucherTransaction& t);

}  // namespace openpromo::api
