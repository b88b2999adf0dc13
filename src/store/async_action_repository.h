// Async actions (spec 4.8): the queue of background jobs, claimed with a lease.
//
// claim_next is the one query here without a project scope: the job runner serves every
// project, and the action it claims carries the project its work is then scoped to.
#pragma once

#include <optional>
#include <string_view>

#include "core/error.h"
#include "model/async_action.h"
#include "model/list_query.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class AsyncActionRepository {
 public:
  explicit AsyncActionRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const AsyncAction& action);
  Result<std::optional<AsyncAction>> find(const Scope& scope, std::string_view id);
  Result<Page<AsyncAction>> list(const Scope& scope, const ListQuery& query);
  // Whether an action of `type` for campaign `campaign_id` is queued or running; with `before`,
  // only those queued before that action (created earlier, or at once with a smaller id).
  Result<bool> has_pending(const Scope& scope, std::string_view type, std::string_view campaign_id,
                           const AsyncAction* before = nullptr);

  // Claims the oldest runnable action of any project (enqueued, or in progress with an expired
  // lease) for `worker` until `lease_until`. Two workers never claim the same action.
  Result<std::optional<AsyncAction>> claim_next(std::string_view worker, Instant lease_until,
                                                Instant now);
  // Makes every in-progress action claimable at once (single-node start-up after a crash).
  Status release_all_claims();
  // Records the outcome, if `worker` still holds the claim (a worker whose lease ran out and was
  // claimed by another must not overwrite that one's work): not_found otherwise.
  Status finish(const AsyncAction& action, std::string_view worker, Instant now);
  // Saves a job's progress (progress, done_count, result so far) and renews its lease, if
  // `worker` still holds the claim; error key `lease_lost` otherwise.
  Status checkpoint(const AsyncAction& action, std::string_view worker, Instant lease_until,
                    Instant now);
  // Renews the lease and adds `done` to done_count with `progress`, if `worker` still holds the
  // claim (lease_lost otherwise): a batch and its progress commit together.
  Status add_progress(const AsyncAction& action, std::string_view worker, int64_t done,
                      int progress, Instant lease_until, Instant now);

 private:
  UnitOfWork& tx_;
};

Error lease_lost(std::string_view action_id);

}  // namespace openpromo
