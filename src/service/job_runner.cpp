#include "service/job_runner.h"

#include <algorithm>

#include <cstdio>
#include <optional>

#include "core/crypto.h"
#include "service/bulk_jobs.h"
#include "service/campaign_service.h"
#include "service/definitions.h"
#include "service/events.h"
#include "service/incentives.h"
#include "service/order_service.h"
#include "service/publication_service.h"
#include "service/redemption_service.h"
#include "store/async_action_repository.h"
#include "store/campaign_repository.h"
#include "store/project_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {

void JobRunner::start(bool reclaim) {
  if (reclaim) {
    (void)store_.in_write(
        [](UnitOfWork& tx) { return AsyncActionRepository(tx).release_all_claims(); });
  }
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void JobRunner::stop() {
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
}

void JobRunner::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void JobRunner::loop() {
  Instant last_sweep = now_utc();
  while (!stopping_) {
    const Instant now = now_utc();
    // Now and then, tidy expired session reservations and idempotency keys. They already stopped
    // counting when they expired; this only keeps the tables small.
    if (now.millis - last_sweep.millis >= kSweepEvery.count()) {
      last_sweep = now;
      (void)sweep_expired(store_, now);
    }
    auto claimed = store_.in_write([&](UnitOfWork& tx) {
      return AsyncActionRepository(tx).claim_next(worker_id_, Instant{now.millis + lease_.count()},
                                                  now);
    });
    if (claimed.ok() && claimed->has_value()) {
      std::optional<AsyncAction> finished = run(std::move(**claimed));
      // Not finished: stopping, a retryable database error, or the lease went to another
      // worker. The action stays claimed until its lease expires, then runs again from its
      // committed progress.
      if (finished) {
        (void)store_.in_write([&](UnitOfWork& tx) {
          return AsyncActionRepository(tx).finish(*finished, worker_id_, now_utc());
        });
      }
      continue;  // look for more work at once
    }
    // Idle: wait for a wake-up, or poll for jobs enqueued by other nodes.
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return woken_ || stopping_.load(); });
    woken_ = false;
  }
}

std::optional<AsyncAction> JobRunner::run(AsyncAction action) {
  const auto started = std::chrono::steady_clock::now();
  // The job acts in its action's project, as an admin, on behalf of the request that queued it.
  Principal who;
  who.project_id = action.project_id;
  who.role = Role::kAdmin;
  who.request_id = action.request_id;
  Status outcome;
  {
    auto project = store_.statements();
    if (!project.ok()) return std::nullopt;
    auto found = ProjectRepository(*project).find(who.scope());
    if (!found.ok()) return std::nullopt;  // retried once the database answers
    if (*found) who.project = **found;
  }
  if (action.type == "CAMPAIGN.VOUCHERS_GENERATE") {
    outcome = generate_vouchers(who, action);
  } else if (action.type == kCampaignDelete) {
    outcome = CampaignService(store_, nullptr).run_delete(who, action);
  } else if (action.type == "ORDERS.IMPORT") {
    outcome = import_orders(who, action);
  } else if (action.type == kSegmentPublication) {
    VoucherService vouchers(store_, nullptr);
    PublicationService publications(store_, wire_, vouchers);
    outcome = publications.run_segment(
        who, action, stopping_, [this](UnitOfWork& tx, const AsyncAction& a) {
          const Instant now = now_utc();
          return AsyncActionRepository(tx).checkpoint(a, worker_id_,
                                                      Instant{now.millis + lease_.count()}, now);
        });
  } else if (auto handler = handlers_.find(action.type); handler != handlers_.end()) {
    outcome =
        handler->second(who, action, stopping_, [this](AsyncAction& a) { return checkpoint(a); });
  } else if (auto bulk = run_bulk_action(store_, wire_, who, action, stopping_,
                                         [this](AsyncAction& a) { return checkpoint(a); })) {
    outcome = std::move(*bulk);
  } else {
    outcome = Error::internal("unknown async action type " + action.type);
  }
  if (outcome.ok() && action.status == "IN_PROGRESS" && stopping_) return std::nullopt;
  if (!outcome.ok() && (outcome.error().code == 503 || outcome.error().key == "lease_lost")) {
    return std::nullopt;
  }
  action.status = outcome.ok() ? "DONE" : "FAILED";
  action.operation_status = outcome.ok() ? "SUCCESS" : "FAILED";
  action.progress = 100;
  if (!outcome.ok()) {
    action.result["message"] = outcome.error().details;
    // A campaign whose codes will never all exist says so.
    if (const Json* id = action.payload.if_contains("campaign_id");
        id && id->is_string() && action.type == "CAMPAIGN.VOUCHERS_GENERATE") {
      const std::string campaign(id->as_string());
      (void)store_.in_write([&](UnitOfWork& tx) -> Status {
        OP_TRY(CampaignRepository(tx).set_generation_status(who.scope(), campaign, kStatusFailed));
        return record_event(tx, who, "campaign.vouchers.generation.failed", campaign,
                            JsonObject{{"campaign_id", campaign}, {"async_action_id", action.id}});
      });
    }
  }
  action.result["processing_time"] =
      static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - started)
                               .count());
  return action;
}

Status JobRunner::generate_vouchers(const Principal& who, AsyncAction& action) {
  const Json* campaign_id = action.payload.if_contains("campaign_id");
  const Json* count_value = action.payload.if_contains("count");
  if (!campaign_id || !campaign_id->is_string() || !count_value || !count_value->is_int64()) {
    return Error::internal("malformed CAMPAIGN.VOUCHERS_GENERATE payload");
  }
  const Scope scope = who.scope();
  const std::string id(campaign_id->as_string());
  const int64_t count = count_value->as_int64();
  std::optional<Campaign> campaign;
  {
    OP_ASSIGN(auto tx, store_.statements());
    OP_ASSIGN(campaign, CampaignRepository(tx).find(scope, id));
  }
  if (!campaign) return Error::not_found("campaign", id);
  const Json* config_json = action.payload.if_contains("code_config");
  OP_ASSIGN(CodeConfig config, code_config_from_json(config_json ? *config_json : Json(nullptr)));
  CodeGenerator generator(config);

  int futile_batches = 0;
  while (action.done_count < count) {
    if (stopping_) return {};  // the committed batches stand; the rest resumes on restart
    const Instant now = now_utc();
    const int64_t wanted = std::min(kBatchSize, count - action.done_count);
    std::vector<Voucher> batch;
    batch.reserve(static_cast<size_t>(wanted));
    // Built outside the write unit (SQLite's lock stays short for API writers), from the campaign
    // as this job last read it; the unit below patches what an edit changed since.
    Voucher tmpl = voucher_from_template(*campaign, now);
    // Inserted in code order: random codes walk the code index's pages in sequence instead of
    // jumping between them (ids, time-ordered, are given in that order too).
    std::vector<std::string> codes;
    codes.reserve(static_cast<size_t>(wanted));
    for (int64_t i = 0; i < wanted; ++i) codes.push_back(generator.next());
    std::sort(codes.begin(), codes.end());
    for (std::string& code : codes) {
      Voucher v = tmpl;
      v.id = new_id("v_");
      v.code = std::move(code);
      batch.push_back(std::move(v));
    }
    const int progress = static_cast<int>((action.done_count * 100) / count);
    // One unit per batch: the codes, the campaign's count and the action's progress and lease
    // commit together, so a crash loses at most this batch and a resumed job never repeats one.
    // The campaign row is locked first: binning or deleting it waits for the batch, or the
    // batch sees it gone and writes nothing.
    OP_ASSIGN(const int64_t inserted, store_.in_write([&](UnitOfWork& tx) -> Result<int64_t> {
      CampaignRepository campaigns(tx);
      OP_TRY(campaigns.lock_live(scope, id));
      // An edit of dates or category made while codes are being generated reaches the codes
      // already written (its own unit) and, here, every later batch: read under the lock, so no
      // edit can land between this read and the insert.
      OP_ASSIGN(auto current, campaigns.find(scope, id));
      if (!current) return Error::not_found("campaign", id);
      if (current->start_date != campaign->start_date ||
          current->expiration_date != campaign->expiration_date ||
          current->category_id != campaign->category_id) {
        for (Voucher& v : batch) {
          v.start_date = current->start_date;
          v.expiration_date = current->expiration_date;
          v.category_id = current->category_id;
        }
      }
      OP_ASSIGN(const int64_t added,
                VoucherRepository(tx).insert_batch(scope, batch, who.project.case_sensitive_codes));
      OP_TRY(CampaignRepository(tx).add_vouchers_count(scope, id, added));
      OP_TRY(AsyncActionRepository(tx).add_progress(action, worker_id_, added, progress,
                                                    Instant{now.millis + lease_.count()}, now));
      return added;
    }));
    action.done_count += inserted;
    {  // the next batch starts from the campaign as it is now
      OP_ASSIGN(auto tx, store_.statements());
      OP_ASSIGN(auto fresh, CampaignRepository(tx).find(scope, id));
      if (fresh) campaign = std::move(fresh);
    }
    // Collisions are rare by the capacity check; a run of batches that add almost nothing means
    // the code space is effectively exhausted (other campaigns share it).
    futile_batches = inserted * 100 < wanted ? futile_batches + 1 : 0;
    if (futile_batches >= 20) {
      action.result["done_count"] = action.done_count;
      return Error{
          400,
          "invalid_code_config",
          "Invalid code config",
          "the code space is exhausted after " + std::to_string(action.done_count) + " codes",
          {},
          {}};
    }
  }
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_TRY(CampaignRepository(tx).set_generation_status(scope, id, kStatusDone));
    return record_event(
        tx, who, "campaign.vouchers.generation.completed", id,
        JsonObject{
            {"campaign_id", id}, {"count", action.done_count}, {"async_action_id", action.id}});
  }));
  action.result["message"] = std::to_string(action.done_count) + " voucher(s) generated";
  action.result["done_count"] = action.done_count;
  action.result["failed_count"] = 0;
  return {};
}

Status JobRunner::checkpoint(AsyncAction& action) {
  const Instant now = now_utc();
  return store_.in_write([&](UnitOfWork& tx) {
    return AsyncActionRepository(tx).checkpoint(action, worker_id_,
                                                Instant{now.millis + lease_.count()}, now);
  });
}

// Historical orders (spec 16.4): each order is upserted on its own, so one bad order does not
// stop the others; failures are listed in the result. Progress is checkpointed (with the lease)
// every kCheckpointEvery orders; a resumed job continues from there, and the few orders after
// the checkpoint that run twice are upserts (harmless with source ids, the import's usual case).
Status JobRunner::import_orders(const Principal& who, AsyncAction& action) {
  const Json* orders_json = action.payload.if_contains("orders");
  if (!orders_json || !orders_json->is_array()) {
    return Error::internal("malformed ORDERS.IMPORT payload");
  }
  const JsonArray& orders = orders_json->as_array();
  OrderService service(store_, wire_, nullptr);
  JsonArray failed;
  if (const Json* f = action.result.if_contains("failed"); f && f->is_array())
    failed = f->as_array();
  auto record = [&](int64_t done) {
    const auto total = static_cast<int64_t>(orders.size());
    action.done_count = done;
    action.progress = total == 0 ? 100 : static_cast<int>(done * 100 / total);
    action.result["done_count"] = done - static_cast<int64_t>(failed.size());
    action.result["failed_count"] = static_cast<int64_t>(failed.size());
    action.result["failed"] = failed;
  };
  for (auto i = action.done_count; i < static_cast<int64_t>(orders.size()); ++i) {
    if (stopping_) return {};
    if (i > action.done_count && i % kCheckpointEvery == 0) {
      record(i);
      OP_TRY(checkpoint(action));
    }
    const Json& order = orders[static_cast<size_t>(i)];
    Result<Order> saved = Error::invalid_payload("not an object");
    if (order.is_object()) {
      auto input = wire_.order(order.as_object());
      saved = input.ok() ? service.upsert(who, *input) : Result<Order>(input.error());
    }
    if (!saved.ok()) {
      failed.push_back(
          JsonObject{{"index", i}, {"key", saved.error().key}, {"message", saved.error().details}});
    }
  }
  record(static_cast<int64_t>(orders.size()));
  return {};
}

}  // namespace openpromo
