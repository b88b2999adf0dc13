#include "service/job_runner.h"

#include <cstdio>
#include <optional>

#include "core/crypto.h"
#include "service/bulk_jobs.h"
#include "service/campaign_service.h"
#include "service/definitions.h"
#include "service/order_service.h"
#include "service/segment_service.h"

namespace openpromo {

void JobRunner::start(bool reclaim) {
  if (reclaim) (void)store_.release_async_claims();
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
  while (!stopping_) {
    const Instant now = now_utc();
    auto claimed = store_.claim_async_action(worker_id_, Instant{now.millis + lease_.count()}, now);
    if (claimed.ok() && claimed->has_value()) {
      std::optional<AsyncAction> finished = run(std::move(**claimed));
      // Not finished: stopping, a retryable database error, or the lease went to another
      // worker. The action stays claimed until its lease expires, then runs again from its
      // committed progress.
      if (finished) (void)store_.finish_async_action(*finished, worker_id_, now_utc());
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
  Status outcome;
  if (action.type == "CAMPAIGN.VOUCHERS_GENERATE") {
    outcome = generate_vouchers(action);
  } else if (action.type == "ORDERS.IMPORT") {
    outcome = import_orders(action);
  } else if (auto bulk = run_bulk_action(store_, action, stopping_,
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
    if (const Json* id = action.payload.if_contains("campaign_id"); id && id->is_string()) {
      (void)store_.set_campaign_generation_status(std::string(id->as_string()), kStatusFailed);
    }
  }
  action.result["processing_time"] =
      static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - started)
                               .count());
  return action;
}

Status JobRunner::generate_vouchers(AsyncAction& action) {
  const Json* campaign_id = action.payload.if_contains("campaign_id");
  const Json* count_value = action.payload.if_contains("count");
  if (!campaign_id || !campaign_id->is_string() || !count_value || !count_value->is_int64()) {
    return Error::internal("malformed CAMPAIGN.VOUCHERS_GENERATE payload");
  }
  const std::string id(campaign_id->as_string());
  const int64_t count = count_value->as_int64();
  OP_ASSIGN(auto campaign, store_.find_campaign(action.project_id, id));
  if (!campaign) return Error::not_found("campaign", id);
  OP_ASSIGN(auto project, store_.find_project(action.project_id));
  if (!project) return Error::internal("project missing");
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
    Voucher tmpl = CampaignService::voucher_from_template(*campaign, now);
    for (int64_t i = 0; i < wanted; ++i) {
      Voucher v = tmpl;
      v.id = new_id("v_");
      v.code = generator.next();
      batch.push_back(std::move(v));
    }
    const int progress = static_cast<int>((action.done_count * 100) / count);
    OP_ASSIGN(int64_t inserted, store_.commit_generated_vouchers(
                                    batch, project->case_sensitive_codes, action.id, worker_id_,
                                    progress, Instant{now.millis + lease_.count()}, now));
    action.done_count += inserted;
    // Collisions are rare by the capacity check; a run of batches that add almost nothing means
    // the code space is effectively exhausted (other campaigns share it).
    futile_batches = inserted * 100 < wanted ? futile_batches + 1 : 0;
    if (futile_batches >= 20) {
      action.result["done_count"] = action.done_count;
      OP_TRY(store_.set_campaign_generation_status(id, kStatusFailed));
      return Error{
          400,
          "invalid_code_config",
          "Invalid code config",
          "the code space is exhausted after " + std::to_string(action.done_count) + " codes",
          {},
          {}};
    }
  }
  OP_TRY(store_.set_campaign_generation_status(id, kStatusDone));
  action.result["message"] = std::to_string(action.done_count) + " voucher(s) generated";
  action.result["done_count"] = action.done_count;
  action.result["failed_count"] = 0;
  return {};
}

Status JobRunner::checkpoint(AsyncAction& action) {
  const Instant now = now_utc();
  return store_.checkpoint_async_action(action, worker_id_, Instant{now.millis + lease_.count()},
                                        now);
}

// Historical orders (spec 16.4): each order is upserted on its own, so one bad order does not
// stop the others; failures are listed in the result. Progress is checkpointed (with the lease)
// every kCheckpointEvery orders; a resumed job continues from there, and the few orders after
// the checkpoint that run twice are upserts (harmless with source ids, the import's usual case).
Status JobRunner::import_orders(AsyncAction& action) {
  const Json* orders_json = action.payload.if_contains("orders");
  if (!orders_json || !orders_json->is_array()) {
    return Error::internal("malformed ORDERS.IMPORT payload");
  }
  const JsonArray& orders = orders_json->as_array();
  Principal who;
  who.project_id = action.project_id;
  who.role = Role::kAdmin;
  CustomerService customers(store_);
  SegmentService segments(store_, customers);  // enter/leave activity, as single writes do
  customers.set_change_listener([&segments](const Principal& p, const std::string& customer) {
    (void)segments.refresh_membership(p, customer);
  });
  OrderService service(store_, customers);
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
    auto saved = order.is_object() ? service.upsert(who, order.as_object())
                                   : Result<Order>(Error::invalid_payload("not an object"));
    if (!saved.ok()) {
      failed.push_back(
          JsonObject{{"index", i}, {"key", saved.error().key}, {"message", saved.error().details}});
    }
  }
  record(static_cast<int64_t>(orders.size()));
  return {};
}

}  // namespace openpromo
