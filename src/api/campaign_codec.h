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
#include "model/redemption.h"
#include "service/campaign_service.h"
#include "service/promotion_service.h"
#include "service/publication_service.h"
#include "service/voucher_service.h"

namespace openpromo::api {

// Request bodies. Creates also read `validation_rules` (and, for PROMOTION campaigns,
// `promotion.tiers` with their own `validation_rules`).
Result<CampaignInput> read_campaign_input(const boost::json::object& body);
Result<VoucherInput> read_voucher_input(const boost::json::object& body);
Result<TierInput> read_tier_input(const boost::json::object& body);
Result<StackInput> read_stack_input(const boost::json::object& body);

// A campaign with its category, tiers (PROMOTION) and rule assignments.
boost::json::object campaign_json(const CampaignDetails& c);
boost::json::object campaign_summary_json(const CampaignSummary& s);
// `usage`: the tier's counter row, for its summary (zeros without one).
boost::json::object tier_json(const PromotionTier& t, const std::optional<Campaign>& campaign,
                              const UsageCounter* usage = nullptr);
// The tier with its rule assignments (single-tier responses).
boost::json::object tier_details_json(const TierDetails& t);
boost::json::object stack_json(const PromotionStack& s);
// The voucher; its `validation_rules_assignments` are the view's (empty in lists).
boost::json::object voucher_json(const VoucherView& v);
boost::json::object async_action_json(const AsyncAction& a);
boost::json::object balance_json(const VoucherView& v, int64_t amount);
boost::json::object voucher_transaction_json(const VoucherTransaction& t);
// A publication as GET /v1/publications lists it.
boost::json::object publication_json(const PublicationView& v);

}  // namespace openpromo::api
