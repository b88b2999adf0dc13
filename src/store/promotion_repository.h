// Promotion tiers and stacks (spec 5.5). Tiers and stacks of a binned campaign are invisible.
// Lists take an optional campaign.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/list_query.h"
#include "model/promotion.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class TierRepository {
 public:
  explicit TierRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const PromotionTier& tier);
  Result<std::optional<PromotionTier>> find(const Scope& scope, std::string_view id);
  // Locks the tier's row until the unit ends (PostgreSQL; SQLite serialises writes): an edit
  // reads the row after this, so concurrent edits merge instead of overwriting each other.
  Status lock(const Scope& scope, std::string_view id);
  Result<Page<PromotionTier>> list(const Scope& scope,
                                   const std::optional<std::string>& campaign_id,
                                   const ListQuery& query);
  // Every tier of the campaign, in hierarchy order.
  Result<std::vector<PromotionTier>> of_campaign(const Scope& scope, std::string_view campaign_id);
  // Every tier of a live campaign (catalog snapshots).
  Result<std::vector<PromotionTier>> all(const Scope& scope);
  // The highest hierarchy of the campaign's tiers (0 when it has none).
  Result<int64_t> max_hierarchy(const Scope& scope, std::string_view campaign_id);
  Status update(const Scope& scope, const PromotionTier& tier);
  Status set_active(const Scope& scope, std::string_view id, bool active, Instant now);
  Status remove(const Scope& scope, std::string_view id);

 private:
  UnitOfWork& tx_;
};

class StackRepository {
 public:
  explicit StackRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const PromotionStack& stack);
  Result<std::optional<PromotionStack>> find(const Scope& scope, std::string_view id);
  Result<Page<PromotionStack>> list(const Scope& scope,
                                    const std::optional<std::string>& campaign_id,
                                    const ListQuery& query);
  Result<std::vector<PromotionStack>> all(const Scope& scope);
  // Stacks that list the tier.
  Result<std::vector<PromotionStack>> listing_tier(const Scope& scope, std::string_view tier_id);
  Status update(const Scope& scope, const PromotionStack& stack);
  Status remove(const Scope& scope, std::string_view id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
