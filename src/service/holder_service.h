// HolderService (spec 12, contract "customer redeemables" and referral holders): a customer's
// wallet, and the referees of a referral code.
//
// Rules:
// - a customer holds a code once, in one role (unique per code and customer): adding a referee
//   who holds the code already, its referrer included, is 409 holder_assignement_duplication;
// - referees join a referral code only after it was published to its referrer (not_published);
// - only referees can be removed (the referrer's assignment is the publication: 403);
// - adding referees is one unit: all of them (customers upserted) or none.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/api_key.h"
#include "model/customer.h"
#include "model/list_query.h"
#include "model/redeemable_holder.h"
#include "service/voucher_service.h"
#include "store/store.h"

namespace openpromo {

class Wire;

// One entry of a customer's wallet: the holder row and the code it holds, with its status
// (ACTIVE, USED, DISABLED, NOT_ACTIVE_YET, EXPIRED, NO_BALANCE) now.
struct WalletEntry {
  RedeemableHolder holder;
  VoucherView voucher;
  std::string status;
};

// Which referral code a holders call is about: the code (or voucher id) and, in the longer
// URL, the campaign it must belong to.
struct ReferralMember {
  std::optional<std::string> campaign;
  std::string member;
};

class HolderService {
 public:
  static constexpr size_t kMaxRefereesPerCall = 100;

  HolderService(Store& store, const Wire& wire) : store_(store), wire_(wire) {}

  Result<Page<WalletEntry>> wallet(const Principal& who, std::string_view customer,
                                   const ListQuery& query);
  Result<Page<RedeemableHolder>> holders(const Principal& who, const ReferralMember& member,
                                         const ListQuery& query);
  Result<std::vector<RedeemableHolder>> add_referees(const Principal& who,
                                                     const ReferralMember& member,
                                                     const std::vector<CustomerDraft>& referees,
                                                     const JsonObject& metadata);
  Status remove_referee(const Principal& who, const ReferralMember& member,
                        std::string_view holder_id);

 private:
  Store& store_;
  const Wire& wire_;
};

// The holder row of a code given to `customer_id` by a publication (OWNER, or REFERRER for a
// referral code); nothing when they hold it already. Runs in the caller's unit.
Status record_holder_in(UnitOfWork& tx, const Scope& scope, const Voucher& voucher,
                        const Campaign* campaign, const std::string& customer_id, Instant now);

// What a wallet shows for a code now.
std::string redeemable_status(const VoucherView& v, Instant now);

}  // namespace openpromo
