// What a decision reads besides the catalog snapshot, shared by validation, session locks,
// redemption and qualification so all of them decide on the same inputs:
//
// - each voucher's row (its own fields and counters) and what other sessions hold on it;
// - the incentive of each redeemable, resolved on the snapshot (codes on their campaign's
//   compiled template, tiers compiled);
// - the stored customer (its id keys the per-customer counters; its metadata and segments feed
//   customer rules) and which product collections each cart line belongs to;
// - the usage counter rows the incentives' rules declare they read (engine/usage.h), in one
//   query; none when no rule reads a counter.
//
// kRead runs in any unit (validation: plain reads). kLock runs in a write unit and makes the
// reads authoritative: the vouchers are locked in id order, then every counter row a
// redemption of these incentives could move, in key order (created when missing), so what the
// engine decides on cannot change until the unit commits. Every unit locks in that order, so
// concurrent redemptions never deadlock on each other.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/types.h"
#include "model/api_key.h"
#include "model/customer.h"
#include "model/redemption.h"
#include "model/voucher.h"
#include "service/catalog_cache.h"
#include "service/wire.h"
#include "store/unit_of_work.h"

namespace openpromo {

// kReserve (session locks): the vouchers locked as in kLock, the counters read as in kRead.
enum class InputMode { kRead, kReserve, kLock };

struct DecisionInputs {
  engine::Usage usage;
  // By redeemable index (vouchers only): the row as read (locked in kLock) and what other
  // sessions hold on it.
  std::vector<std::optional<Voucher>> vouchers;
  std::vector<Reserved> reserved;
  // kLock: the counter rows locked, by key (rows that did not exist read as zero).
  std::vector<std::string> locked_rows;
  std::optional<Customer> customer;  // the stored customer, if any
  // A voucher's campaign the snapshot does not know: the caller refreshes and reads again.
  bool stale = false;
};

// Expands a promotion_stack into its tiers and checks the request's shape (spec 9.1). A tier or
// stack the snapshot does not know makes it refresh `snapshot` once (created on another node a
// moment ago). 400s/404 for the shape and unknown stacks.
Status expand_redeemables(CatalogCache& cache, const Project& project,
                          std::shared_ptr<const CatalogSnapshot>& snapshot,
                          engine::Request& request);

// Resolves `request`'s redeemables on `snapshot` and reads what the engine needs (see above).
// `session_key`: the caller's own session, whose reservations do not count against it.
// Sets `request.customer.stored_id` and `request.api_key`.
Result<DecisionInputs> read_decision_inputs(UnitOfWork& tx, const Principal& who, const Wire& wire,
                                            const CatalogSnapshot& snapshot,
                                            engine::Request& request, InputMode mode,
                                            const std::optional<std::string>& session_key,
                                            Instant now);

// The tracking id Voucherify derives from the customer: ours hashes the source id (or id), so
// the same customer gets the same id and the source id is not exposed.
std::string tracking_id_of(const engine::Customer& customer);

}  // namespace openpromo
