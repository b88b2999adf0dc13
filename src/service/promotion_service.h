// PromotionService: tiers and stacks of PROMOTION campaigns (spec 5.5). Each write is one unit
// of work with its outbox event; a tier's validation rules are assigned in the same unit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/promotion.h"
#include "model/redemption.h"
#include "model/validation_rule.h"
#include "service/campaign_service.h"
#include "service/inputs.h"

namespace openpromo {

// A tier as the API shows it: with its campaign and rule assignments.
struct TierDetails {
  PromotionTier tier;
  std::optional<Campaign> campaign;
  std::vector<RuleAssignment> assignments;
  UsageCounter usage;  // its redemptions, order amounts and discounts (its `summary`)
};

class PromotionService {
 public:
  explicit PromotionService(Store& store) : store_(store) {}

  Result<TierDetails> create_tier(const Principal& who, std::string_view campaign,
                                  const TierInput& input);
  Result<TierDetails> get_tier(const Principal& who, std::string_view id);
  // `campaign`: only this campaign's tiers. Items carry their campaign, not their assignments.
  Result<Page<TierDetails>> list_tiers(const Principal& who,
                                       const std::optional<std::string>& campaign,
                                       const ListQuery& query);
  Result<TierDetails> update_tier(const Principal& who, std::string_view id,
                                  const TierInput& input);
  Result<TierDetails> set_tier_active(const Principal& who, std::string_view id, bool active);
  // Tiers are deleted for good (no bin); a tier that a stack lists is refused (resource_in_use).
  Status delete_tier(const Principal& who, std::string_view id);

  Result<PromotionStack> create_stack(const Principal& who, std::string_view campaign,
                                      const StackInput& input);
  Result<PromotionStack> get_stack(const Principal& who, std::string_view campaign,
                                   std::string_view id);
  Result<Page<PromotionStack>> list_stacks(const Principal& who,
                                           const std::optional<std::string>& campaign,
                                           const ListQuery& query);
  Result<PromotionStack> update_stack(const Principal& who, std::string_view campaign,
                                      std::string_view id, const StackInput& input);
  Status delete_stack(const Principal& who, std::string_view campaign, std::string_view id);

 private:
  Store& store_;
};

// Creates a tier of the PROMOTION campaign `campaign` in `tx` (campaign create uses it for
// `promotion.tiers`, so the campaign and its tiers commit together).
Result<PromotionTier> create_tier_in(UnitOfWork& tx, const Principal& who, const Campaign& campaign,
                                     const TierInput& input);

}  // namespace openpromo
