// RedemptionService: redemption, rollback and their records (spec 8, 9.3-9.5), exactly once.
//
// A redemption is one unit of work:
//   1. the idempotency key claimed (when sent): a retry gets the first answer and consumes
//      nothing more;
//   2. the catalog version re-read: a snapshot older than the database is refreshed and the
//      unit run again, so a campaign or tier disabled before this unit began is seen disabled;
//   3. the customer upserted, then the decision's inputs locked (service/decision_inputs.h:
//      vouchers in id order, then every counter row the redemption could move, in key order)
//      and the engine run on them: the same evaluation as validation, on values nothing else
//      can move until this unit commits;
//   4. acceptable (ALL: every redeemable applicable; PARTIAL: at least one): each effect
//      written with its guard in SQL (a voucher's quantity counting other sessions'
//      reservations, a gift card's balance), the counter rows written back as the decision's
//      deltas left them, the order saved PAID with the redemption on it, the parent and child
//      redemptions inserted, the session of the same key released, and the events appended to
//      the outbox; a guard that fails aborts all of it;
//   5. not acceptable: a failed redemption (rf_...) is recorded with the failing key, and the
//      answer is that error with the record's id.
// Deadlocks, serialization failures and lost connections before the commit (503) are retried
// with a fresh unit; nothing of a failed attempt remains.
//
// A rollback locks the root redemption (the parent, or a single one), so concurrent rollbacks
// of it serialise and exactly one moves it from SUCCEEDED to ROLLED_BACK; the others answer
// already_rolled_back. It gives back exactly what each child recorded (a use of the voucher,
// the gift credits, the counter deltas in the periods they were counted in) and cancels the
// order (WITH_ORDER) or leaves it as it is (WITHOUT_ORDER).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/types.h"
#include "model/api_key.h"
#include "model/customer.h"
#include "model/list_query.h"
#include "model/order.h"
#include "model/redemption.h"
#include "service/validation_service.h"
#include "service/wire.h"
#include "store/store.h"

namespace openpromo {

struct RedemptionInput {
  engine::Request request;                 // decoded as a validation (redeemables unresolved)
  std::optional<CustomerDraft> customer;   // the body's `customer`, when it names one
  std::optional<OrderInput> order;         // the body's `order`, as POST /orders saves it
  std::optional<std::string> session_key;  // its reservations count for this redemption
  std::optional<std::string> tracking_id;
  // POST /redemptions makes a parent and one child per applied redeemable; the legacy
  // single-code endpoints make one redemption.
  bool stacked = true;
};

struct RedemptionOutcome {
  bool succeeded = false;
  std::optional<Redemption> parent;  // stacked successes
  // The children (or the single legacy redemption); on failure the failed record.
  std::vector<Redemption> redemptions;
  std::optional<Order> order;  // as saved
  engine::Request request;
  engine::Decision decision;
  std::string tracking_id;
  std::optional<Error> failure;  // resource_id: the failed record (rf_...)
};

struct RollbackInput {
  std::string redemption_id;
  bool stacked = true;  // POST /redemptions/{id}/rollbacks; false: /{id}/rollback
  std::optional<std::string> reason, tracking_id;
  std::optional<CustomerDraft> customer;  // must be the redemption's customer
  std::optional<OrderInput> order;        // must be the redemption's order; may update it
  JsonObject metadata;
};

struct RollbackOutcome {
  bool succeeded = false;
  std::optional<RedemptionRollback> parent;   // of a stacked redemption
  std::vector<RedemptionRollback> rollbacks;  // one per child (or the single one)
  std::string requested_id;                   // the id the caller named
  std::optional<Order> order;
  std::optional<Error> failure;  // already_rolled_back with the failed record (rrf_...)
};

// A request's Idempotency-Key (ours) and what its body hashes to.
struct IdempotencyInput {
  std::string key;
  std::string request_hash;
};

// The answer a use case gives, rendered by the api's encoder inside the unit, so the first
// answer to an idempotency key is stored with the effects it reports.
struct Answer {
  int status = 200;
  std::string body;
};
using RedemptionEncoder = std::function<Answer(const RedemptionOutcome&)>;
using RollbackEncoder = std::function<Answer(const RollbackOutcome&)>;

// A redemption with what the API shows around it.
struct RedemptionDetails {
  Redemption redemption;
  std::vector<Redemption> children;           // of a parent
  std::vector<RedemptionRollback> rollbacks;  // of it
};
using RedemptionRecord = std::variant<RedemptionDetails, RedemptionRollback>;

struct VoucherRedemptions {
  std::optional<int64_t> quantity;
  int64_t redeemed_quantity = 0;
  std::string code;
  Page<RedemptionDetails> page;
};

class RedemptionService {
 public:
  static constexpr int64_t kIdempotencyWindowMillis = 24LL * 3600 * 1000;
  static constexpr int kRollbackWindowMonths = 3;

  RedemptionService(Store& store, const Wire& wire, ValidationService& validations)
      : store_(store), wire_(wire), validations_(validations) {}

  Result<Answer> redeem(const Principal& who, RedemptionInput input,
                        const std::optional<IdempotencyInput>& idempotency,
                        const RedemptionEncoder& encode);
  Result<Answer> rollback(const Principal& who, const RollbackInput& input,
                          const std::optional<IdempotencyInput>& idempotency,
                          const RollbackEncoder& encode);

  // GET /redemptions/{id}: a redemption (r_, rf_) or a rollback (rr_, rrf_).
  Result<RedemptionRecord> get(const Principal& who, std::string_view id);
  Result<Page<RedemptionDetails>> list(const Principal& who, const RedemptionFilter& filter,
                                       const ListQuery& query);
  // GET /vouchers/{code}/redemption.
  Result<VoucherRedemptions> of_voucher(const Principal& who, std::string_view code,
                                        const ListQuery& query);

 private:
  Store& store_;
  const Wire& wire_;
  ValidationService& validations_;
};

// Tidies expired session reservations and idempotency keys (they already stopped counting);
// returns how many rows went. Run by the job runner now and then.
Result<int64_t> sweep_expired(Store& store, Instant now);

}  // namespace openpromo
