// Redeemable holders (spec 12): which customer holds which code, in which role.
#pragma once

#include <string_view>

#include "core/error.h"
#include "model/list_query.h"
#include "model/redeemable_holder.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class HolderRepository {
 public:
  explicit HolderRepository(UnitOfWork& tx) : tx_(tx) {}

  // false when the customer holds the code already (in any role): one row per code and customer,
  // decided by the unique index whatever runs at once.
  Result<bool> insert_if_new(const Scope& scope, const RedeemableHolder& h);
  Result<std::optional<RedeemableHolder>> find(const Scope& scope, std::string_view id);
  Result<std::optional<RedeemableHolder>> find_of(const Scope& scope,
                                                  std::string_view redeemable_id,
                                                  std::string_view customer_id);
  Status remove(const Scope& scope, std::string_view id);
  Result<int64_t> remove_of_customer(const Scope& scope, std::string_view customer_id);

  // Holders of live codes only (a deleted code leaves no holder on show). Filters: id,
  // created_at, redeemable_id, redeemable_object, customer_id, holder_role, campaign_id,
  // campaign_type, voucher_type; order by id or created_at.
  Result<Page<RedeemableHolder>> list_of_customer(const Scope& scope, std::string_view customer_id,
                                                  ListQuery query);
  Result<Page<RedeemableHolder>> list_of_redeemable(const Scope& scope,
                                                    std::string_view redeemable_id,
                                                    ListQuery query);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
