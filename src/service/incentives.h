// Incentives: how stored campaigns, vouchers and promotion tiers become the engine's values.
//
// This is the one place that knows how a voucher inherits from its campaign (discount, gift,
// loyalty card and validity windows from the template, dates from the campaign when it has none
// of its own) and how the engine's definition object is assembled. The API's voucher view, the
// catalog snapshot (tiers, campaign templates), validation (each voucher) and the write-time
// checks all go through it, so a definition a write accepts is one validation can evaluate.
#pragma once

#include <optional>

#include "core/error.h"
#include "core/json.h"
#include "engine/types.h"
#include "model/campaign.h"
#include "model/promotion.h"
#include "model/voucher.h"

namespace openpromo {

// The voucher's effective definition: its own fields over its campaign's template (discount,
// gift, loyalty_card, validity_timeframe/_day_of_week/_hours), with metadata defaulting to {}.
JsonObject effective_voucher_definition(const Voucher& voucher, const Campaign* campaign);

// A voucher of `campaign` built from its template, before it has a code and id.
Voucher voucher_from_template(const Campaign& campaign, Instant now);

// The engine's view of a voucher, a promotion tier, and a campaign's code template. Categories
// and rules come from `catalog` (an empty catalog for write-time checks). A stored definition
// that cannot be read (or no longer evaluates) yields an incentive marked broken: found, and
// inapplicable with `definition_unreadable`.
engine::Incentive voucher_incentive(const Voucher& voucher, const Campaign* campaign,
                                    const engine::Catalog& catalog);
engine::Incentive tier_incentive(const PromotionTier& tier, const Campaign* campaign,
                                 const engine::Catalog& catalog);
engine::Incentive template_incentive(const Campaign& campaign, const engine::Catalog& catalog);

// Write-time checks: what is about to be stored evaluates (the same functions as above, with
// nothing broken tolerated). Errors are the parser's 400s naming the field.
Status check_voucher_evaluates(const Voucher& voucher, const Campaign* campaign);
Status check_tier_evaluates(const PromotionTier& tier, const Campaign& campaign);
Status check_template_evaluates(const Campaign& campaign);

}  // namespace openpromo
