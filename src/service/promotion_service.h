// PromotionService: tiers and stacks of PROMOTION campaigns (spec 5.5).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/promotion.h"
#include "service/campaign_service.h"

namespace openpromo {

struct TierInput {
  std::optional<std::string> name, banner, category_id;
  std::optional<bool> active;
  std::optional<int64_t> hierarchy;
  OptionalDate start_date, expiration_date;
  std::optional<Json> action, metadata, validity_timeframe, validity_day_of_week, validity_hours;
};

struct StackInput {
  std::optional<std::string> name, hierarchy_mode, category_id;
  std::optional<std::vector<std::string>> tier_ids;
};

class PromotionService {
 public:
  explicit PromotionService(Store& store) : store_(store) {}

  Result<PromotionTier> create_tier(const Principal& who, std::string_view campaign,
                                    const TierInput& input);
  Result<PromotionTier> get_tier(const Principal& who, std::string_view id);
  Result<Page<PromotionTier>> list_tiers(const Principal& who,
                                         const std::optional<std::string>& campaign,
                                         const ListQuery& query);
  Result<PromotionTier> update_tier(const Principal& who, std::string_view id,
                                    const TierInput& input);
  Result<PromotionTier> set_tier_active(const Principal& who, std::string_view id, bool active);
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

  // POST /v1/campaigns for a PROMOTION campaign with `promotion.tiers`: the campaign and its
  // tiers, or nothing (a tier that fails validation removes the campaign again).
  Result<CampaignCreated> create_campaign_with_tiers(const Principal& who,
                                                     CampaignService& campaigns,
                                                     CampaignInput input,
                                                     const std::vector<TierInput>& tiers,
                                                     const std::string& request_id);

  // The PROMOTION campaign named by id or name.
  Result<Campaign> promotion_campaign(const Principal& who, std::string_view id_or_name);

 private:
  Status apply(const Principal& who, const TierInput& in, PromotionTier& t);
  Status check_stack(const Principal& who, const PromotionStack& s);
  Store& store_;
};

}  // namespace openpromo
