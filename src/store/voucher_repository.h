// Vouchers (spec 5.3, 5.6) and gift-card transactions. Codes are unique per project under its
// case sensitivity, binned codes included. Counters (redeemed quantity, balances) change only
// through guarded single-statement updates, never read-modify-write.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/list_query.h"
#include "model/redemption.h"
#include "model/scope.h"
#include "model/voucher.h"
#include "model/voucher_transaction.h"
#include "store/unit_of_work.h"

namespace openpromo {

class VoucherRepository {
 public:
  explicit VoucherRepository(UnitOfWork& tx) : tx_(tx) {}

  // 409 duplicate_found when the code (or id) is taken.
  Status insert(const Scope& scope, const Voucher& voucher, bool case_sensitive);
  // The same, but a taken code is `false` instead of an error, so a caller drawing random codes
  // can draw again inside the same transaction.
  Result<bool> insert_if_new(const Scope& scope, const Voucher& voucher, bool case_sensitive);
  // A batch of generated codes; codes that collide with existing ones are skipped. Returns how
  // many were inserted.
  Result<int64_t> insert_batch(const Scope& scope, const std::vector<Voucher>& vouchers,
                               bool case_sensitive);
  Result<std::optional<Voucher>> find(const Scope& scope, std::string_view code_or_id,
                                      bool case_sensitive);
  // The voucher with what sessions other than `except_session` hold on it at `now`, in one
  // query (validation reads both for every code).
  struct WithReserved {
    Voucher voucher;
    Reserved reserved;
  };
  Result<std::optional<WithReserved>> find_reserved(
      const Scope& scope, std::string_view code_or_id, bool case_sensitive, Instant now,
      const std::optional<std::string>& except_session);
  // Live codes published to `holder_id` (a customer's wallet), oldest first, at most `limit`.
  Result<std::vector<Voucher>> held_by(const Scope& scope, std::string_view holder_id,
                                       int64_t limit);
  // The live voucher `id`, locked until the unit ends (PostgreSQL; SQLite's write lock already
  // serialises). Redemptions lock their vouchers in id order.
  Result<std::optional<Voucher>> lock(const Scope& scope, std::string_view id);
  // Publication (spec 12): gives up to `count` active, unpublished codes of `campaign_id` to
  // `holder_id` (publish count + 1; `expires` replaces the expiration date when set), lowest id
  // first. Concurrent calls never give one code twice: PostgreSQL skips codes another unit has
  // claimed, SQLite runs writes one at a time. `after_id`: only codes with a higher id (a job
  // that claims many keeps its place: on PostgreSQL the codes it already took stay in the
  // unpublished index as dead entries until vacuum, and a search from the start would walk them
  // all, every time).
  Result<std::vector<Voucher>> claim_unpublished(const Scope& scope, std::string_view campaign_id,
                                                 std::string_view holder_id, int64_t count,
                                                 std::optional<Instant> expires, Instant now,
                                                 std::string_view after_id = {});
  // Gives the code `id` to `holder_id` if nobody holds it; nullopt when somebody does.
  Result<std::optional<Voucher>> publish(const Scope& scope, std::string_view id,
                                         std::string_view holder_id, std::optional<Instant> expires,
                                         Instant now);
  // The codes of `campaign_id` that `holder_id` holds.
  // A campaign edit's reach (spec 13.1): its codes that nobody holds and nobody redeemed take
  // the campaign's dates (when `dates`), and, those still in its previous category, its category
  // (when `category`).
  Status follow_campaign(const Scope& scope, std::string_view campaign_id, bool dates,
                         bool category, const std::optional<std::string>& previous_category,
                         std::optional<Instant> start_date, std::optional<Instant> expiration_date,
                         const std::optional<std::string>& category_id, Instant now);
  // Which of `holder_ids` hold a live code of `campaign_id`.
  // Codes of the campaign that someone holds or redeemed keep `key` (a definition part they
  // inherit, e.g. validity_timeframe) at `previous` (null: none) unless they have their own, so
  // the campaign's new value reaches only the others (spec 13.1). One statement.
  Status keep_inherited_part(const Scope& scope, std::string_view campaign_id, std::string_view key,
                             const Json& previous, Instant now);
  Result<std::vector<std::string>> holders_in_campaign(const Scope& scope,
                                                       std::string_view campaign_id,
                                                       const std::vector<std::string>& holder_ids);
  Result<std::vector<Voucher>> held_in_campaign(const Scope& scope, std::string_view holder_id,
                                                std::string_view campaign_id);
  // One use more, guarded in the statement: false when the quantity (counting `reserved` units
  // other sessions hold) is used up.
  Result<bool> redeem(const Scope& scope, std::string_view id, int64_t reserved, Instant now);
  // One use less (a rollback), never below zero.
  Status unredeem(const Scope& scope, std::string_view id, Instant now);
  Result<Page<Voucher>> list(const Scope& scope, const ListQuery& query);
  // Writes the editable fields; counters are untouched.
  Status update(const Scope& scope, const Voucher& voucher);
  Status set_active(const Scope& scope, std::string_view id, bool active, Instant now);
  // To the bin (the code stays reserved), or for good; either way it leaves its campaign's
  // vouchers_count.
  Status bin(const Scope& scope, std::string_view id, Instant now);
  Status remove(const Scope& scope, std::string_view id);
  // Adds `tx.amount` (negative: removes) to a gift card's balance; additions also raise its
  // amount unless `refund` (a rollback gives back what was spent). Guarded in the database: the
  // balance never goes below `keep` (credits other sessions hold; zero by default), whatever runs
  // concurrently. `tx` (with the resulting balance filled in) is recorded in the same unit.
  Result<Voucher> adjust_gift_balance(const Scope& scope, std::string_view voucher_id,
                                      VoucherTransaction tx, int64_t keep = 0, bool refund = false);
  // A voucher's transactions, newest first unless the query orders otherwise.
  Result<Page<VoucherTransaction>> transactions(const Scope& scope, std::string_view voucher_id,
                                                const ListQuery& query);
  // The transactions of every card of a campaign.
  Result<Page<VoucherTransaction>> campaign_transactions(const Scope& scope,
                                                         std::string_view campaign_id,
                                                         const ListQuery& query);
  // Every transaction of the project; filters voucher_id, campaign_id, type, created_at.
  Result<Page<VoucherTransaction>> all_transactions(const Scope& scope, const ListQuery& query);

 private:
  Result<Page<VoucherTransaction>> transactions_where(const Scope& scope, std::string_view field,
                                                      std::string_view value,
                                                      const ListQuery& query);
  UnitOfWork& tx_;
};

}  // namespace openpromo
