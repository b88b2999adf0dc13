#include "service/validation_service.h"

#include "core/crypto.h"
#include "engine/engine.h"
#include "service/decision_inputs.h"
#include "store/redemption_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {

Result<ValidationRun> ValidationService::validate(const Principal& who, engine::Request request,
                                                  const SessionInput& session) {
  const Project& project = who.project;
  OP_ASSIGN(std::shared_ptr<const CatalogSnapshot> snapshot, catalog_.current(project));
  OP_TRY(expand_redeemables(catalog_, project, snapshot, request));
  const Instant now = now_utc();
  if (session.lock) return validate_and_lock(who, std::move(request), snapshot, session, now);

  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(DecisionInputs in, read_decision_inputs(tx, who, wire_, *snapshot, request,
                                                    InputMode::kRead, session.key, now));
  if (in.stale) {
    // A voucher of a campaign this snapshot does not know: created on another node a moment ago.
    OP_ASSIGN(snapshot, catalog_.refresh(project));
    OP_ASSIGN(in, read_decision_inputs(tx, who, wire_, *snapshot, request, InputMode::kRead,
                                       session.key, now));
  }
  ValidationRun run;
  run.decision = engine::evaluate(snapshot->engine, in.usage, request, now);
  run.tracking_id = tracking_id_of(request.customer);
  run.request = std::move(request);
  run.catalog = std::move(snapshot);
  return run;
}

Result<ValidationRun> ValidationService::validate_and_lock(
    const Principal& who, engine::Request request, std::shared_ptr<const CatalogSnapshot> snapshot,
    const SessionInput& session, Instant now) {
  const Scope scope = who.scope();
  const std::string key = session.key ? *session.key : new_id("ssn_");
  for (int attempt = 0;; ++attempt) {
    auto run = [&]() -> Result<ValidationRun> {
      OP_ASSIGN(auto tx, store_.write());
      engine::Request r = request;
      OP_ASSIGN(DecisionInputs in,
                read_decision_inputs(tx, who, wire_, *snapshot, r, InputMode::kReserve, key, now));
      if (in.stale) return Error::unavailable("stale catalog snapshot");
      ValidationRun out;
      out.decision = engine::evaluate(snapshot->engine, in.usage, r, now);
      if (out.decision.valid) {
        // Reusing a key overwrites the session's values (spec 9.6).
        std::vector<SessionLock> locks;
        for (const engine::RedeemableResult& res : out.decision.redeemables) {
          const auto& v = in.vouchers[res.request_index];
          if (res.status != engine::RedeemableStatus::kApplicable || !v) continue;
          SessionLock l;
          l.session_key = key;
          l.voucher_id = v->id;
          l.quantity = 1;
          l.gift_credits = res.gift_credits;
          l.created_at = now;
          l.expires_at = Instant{now.millis + session.ttl_millis};
          locks.push_back(std::move(l));
        }
        OP_TRY(SessionRepository(tx).put(scope, key, locks));
        out.session_key = key;
      }
      OP_TRY(tx.commit());
      out.tracking_id = tracking_id_of(r.customer);
      out.request = std::move(r);
      out.catalog = snapshot;
      return out;
    };
    auto result = run();
    // A stale snapshot, a deadlock or a lost connection before the commit: nothing was kept.
    if (!result.ok() && result.error().code == 503 && attempt < 2) {
      OP_ASSIGN(snapshot, catalog_.refresh(who.project));
      continue;
    }
    return result;
  }
}

Status ValidationService::release_session(const Principal& who, std::string_view code,
                                          std::string_view key) {
  const Scope scope = who.scope();
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_ASSIGN(auto voucher,
              VoucherRepository(tx).find(scope, code, who.project.case_sensitive_codes));
    if (!voucher) return Error::not_found("voucher", std::string(code));
    OP_ASSIGN(const int64_t released,
              SessionRepository(tx).release(scope, key, std::string_view(voucher->id)));
    if (released == 0) return Error::not_found("session", std::string(key));
    return {};
  });
}

}  // namespace openpromo
