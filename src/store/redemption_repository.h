// Redemptions, rollbacks, usage counters, session locks and idempotent responses (spec 8,
// 9.3-9.6). Everything a redemption or rollback changes is written here inside the caller's unit
// of work; the guards live in the SQL:
//
// - counter rows are locked before they are read (`lock`: an upsert that creates missing rows and
//   returns every row locked, in key order), so a limit is decided on values no concurrent unit
//   can move until this one commits;
// - a rollback flips SUCCEEDED to ROLLED_BACK with a guarded UPDATE on the locked root row, so
//   concurrent rollbacks of one redemption restore exactly once;
// - session locks count only while `expires_at` is ahead, so an expired lock stops reserving with
//   no sweep (`sweep_sessions` only tidies up).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "model/list_query.h"
#include "model/redemption.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class RedemptionRepository {
 public:
  explicit RedemptionRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const Redemption& r);
  Result<std::optional<Redemption>> find(const Scope& scope, std::string_view id);
  // The row locked until the unit ends (PostgreSQL; SQLite's write lock already serialises).
  Result<std::optional<Redemption>> lock(const Scope& scope, std::string_view id);
  // Those of `ids` the scope sees (a restricted caller: of campaigns it sees).
  Result<std::set<std::string>> visible_ids(const Scope& scope,
                                            const std::vector<std::string>& ids);
  Result<std::vector<Redemption>> children(const Scope& scope, std::string_view parent_id);
  // SUCCEEDED -> ROLLED_BACK for each of `ids`; the number of rows that moved.
  Result<int64_t> mark_rolled_back(const Scope& scope, const std::vector<std::string>& ids,
                                   Instant now);
  // Newest first (spec 9.4) unless the query orders otherwise.
  Result<Page<Redemption>> list(const Scope& scope, const RedemptionFilter& filter,
                                const ListQuery& query);

  Status insert_rollback(const Scope& scope, const RedemptionRollback& r);
  Result<std::optional<RedemptionRollback>> find_rollback(const Scope& scope, std::string_view id);
  // The rollbacks of each of `redemption_ids`, by redemption id.
  Result<std::unordered_map<std::string, std::vector<RedemptionRollback>>> rollbacks_of(
      const Scope& scope, const std::vector<std::string>& redemption_ids);

  Result<CustomerRedemptionSummary> customer_summary(const Scope& scope,
                                                     std::string_view customer_id);
  Result<std::unordered_map<std::string, CustomerRedemptionSummary>> customer_summaries(
      const Scope& scope, const std::vector<std::string>& customer_ids);
  Result<CampaignRedemptionSummary> campaign_summary(const Scope& scope,
                                                     std::string_view campaign_id,
                                                     std::optional<Instant> from,
                                                     std::optional<Instant> to,
                                                     const StoreCut& cut = {});

 private:
  UnitOfWork& tx_;
};

class UsageRepository {
 public:
  explicit UsageRepository(UnitOfWork& tx) : tx_(tx) {}

  // The rows of `keys` that exist (validation: a plain read).
  Result<std::vector<UsageCounter>> read(const Scope& scope, const std::vector<std::string>& keys);
  // Every row of `keys` (created when missing), locked until the unit ends. REQUIRES: a write
  // unit; `keys` sorted (the lock order every unit follows).
  Result<std::vector<UsageCounter>> lock(const Scope& scope, const std::vector<std::string>& keys);
  // Writes the rows' values. REQUIRES: the rows were locked in this unit.
  Status write(const Scope& scope, const std::vector<UsageCounter>& rows);

 private:
  UnitOfWork& tx_;
};

class SessionRepository {
 public:
  explicit SessionRepository(UnitOfWork& tx) : tx_(tx) {}

  // What sessions other than `except_key` hold on each of `voucher_ids` at `now`.
  Result<std::unordered_map<std::string, Reserved>> reserved(
      const Scope& scope, const std::vector<std::string>& voucher_ids, Instant now,
      const std::optional<std::string>& except_key);
  // The session's reservations become `locks` (reusing a key overwrites its values).
  Status put(const Scope& scope, std::string_view session_key,
             const std::vector<SessionLock>& locks);
  // Releases the session on every voucher (a redemption with its key), or on one voucher
  // (DELETE /vouchers/{code}/sessions/{key}); how many reservations went.
  Result<int64_t> release(const Scope& scope, std::string_view session_key,
                          std::optional<std::string_view> voucher_id = std::nullopt);
  // Deletes reservations that expired before `now`, at most `limit` (any project).
  Result<int64_t> sweep(Instant now, int64_t limit);

 private:
  UnitOfWork& tx_;
};

class IdempotencyRepository {
 public:
  explicit IdempotencyRepository(UnitOfWork& tx) : tx_(tx) {}

  // Claims `key` for a request whose body hashes to `hash`, or returns the first answer given
  // for it. A key older than `expired_before` is claimed afresh. While another unit holds a
  // claim on the key this waits for it (PostgreSQL) or cannot run (SQLite's write lock), so the
  // answer is always the committed one.
  struct Claim {
    bool claimed = false;
    std::optional<IdempotentResponse> previous;  // when not claimed
  };
  Result<Claim> claim(const Scope& scope, std::string_view key, std::string_view hash, Instant now,
                      Instant expired_before);
  // Records the answer of a claimed key, in the claiming unit.
  Status answer(const Scope& scope, std::string_view key, int status, std::string_view body);
  // Deletes keys created before `before` (any project), at most `limit`.
  Result<int64_t> sweep(Instant before, int64_t limit);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
