// TemplateService (contract tag templates): campaign templates saved from a discount or gift
// campaign (or a promotion tier, as a discount campaign), and campaigns and promotion tiers set
// up from them.
//
// A template keeps the configuration and copies of the source's validation rules, never
// references to them: editing or deleting the source later does not change the template. A
// setup creates fresh copies of those rules and the campaign or tier in one unit (the
// campaign's or tier's own), so a setup that fails leaves no stray rules behind.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/api_key.h"
#include "model/campaign_template.h"
#include "model/list_query.h"
#include "service/campaign_service.h"
#include "service/inputs.h"
#include "service/promotion_service.h"
#include "store/store.h"

namespace openpromo {

struct TemplateInput {
  std::optional<std::string> name, description;
  std::optional<std::string> campaign_id, promotion_tier_id;  // create: exactly one of them
};

template <class T>
struct SetupResult {
  T created;
  std::vector<std::string> created_rule_ids;  // validation rules copied from the template
};

class TemplateService {
 public:
  TemplateService(Store& store, CampaignService& campaigns, PromotionService& promotions)
      : store_(store), campaigns_(campaigns), promotions_(promotions) {}

  Result<CampaignTemplate> create(const Principal& who, const TemplateInput& in);
  Result<CampaignTemplate> get(const Principal& who, std::string_view id);
  Result<Page<CampaignTemplate>> list(const Principal& who, const ListQuery& query);
  // Name and description only.
  Result<CampaignTemplate> update(const Principal& who, std::string_view id,
                                  const TemplateInput& in);
  Status remove(const Principal& who, std::string_view id);

  // A campaign from the template; `overrides` (name required) replace what the template says.
  Result<SetupResult<CampaignDetails>> campaign_setup(const Principal& who, std::string_view id,
                                                      CampaignInput overrides);
  // A promotion tier of the PROMOTION campaign `campaign_id` from a discount template.
  Result<SetupResult<TierDetails>> tier_setup(const Principal& who, std::string_view id,
                                              const std::string& campaign_id, TierInput overrides);

 private:
  Store& store_;
  CampaignService& campaigns_;
  PromotionService& promotions_;
};

}  // namespace openpromo
