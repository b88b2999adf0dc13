// JobRunner: executes async actions in the background, one at a time per node.
//
// Jobs are rows in the store, claimed with a lease, so they survive restarts and, on PostgreSQL,
// a job whose node died is picked up by another once its lease runs out. A job commits its work
// in batches together with its progress (`done_count`), so a resumed job continues where the
// last committed batch ended and never does a unit of work twice.
//
// Thread-safety: start/stop/wake may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "model/api_key.h"
#include "model/async_action.h"
#include "service/wire.h"
#include "store/store.h"

namespace openpromo {

class JobRunner {
 public:
  static constexpr std::chrono::milliseconds kDefaultLease{15'000};
  static constexpr int64_t kBatchSize = 20'000;
  static constexpr std::chrono::milliseconds kSweepEvery{60'000};

  // `lease`: how long a claim lasts without renewal (each batch renews it); a node that dies is
  // replaced by another after at most this long.
  // `wire`: the api's codecs, for jobs that replay request bodies (bulk writes, order imports).
  JobRunner(Store& store, const Wire& wire, std::string worker_id,
            std::chrono::milliseconds lease = kDefaultLease)
      : store_(store), wire_(wire), worker_id_(std::move(worker_id)), lease_(lease) {}

  const std::string& worker_id() const { return worker_id_; }

  // A job type served by a layer above (the api owns the exports, which read the API's
  // documents). `checkpoint` saves the action's progress and renews its lease. Register before
  // start().
  using Handler = std::function<Status(const Principal& who, AsyncAction& action,
                                       const std::atomic<bool>& stopping,
                                       const std::function<Status(AsyncAction&)>& checkpoint)>;
  void add_handler(std::string type, Handler handler) {
    handlers_.emplace(std::move(type), std::move(handler));
  }
  ~JobRunner() { stop(); }

  // `reclaim`: release claims left by a previous run of this node (single-node SQLite).
  void start(bool reclaim);
  // Stops between batches; an unfinished job stays claimable and resumes on the next start.
  void stop();
  void wake();

 private:
  void loop();
  // Runs one claimed action; returns its final state, or nullopt when it must run again later
  // (stopping, a retryable database error, a lost lease).
  std::optional<AsyncAction> run(AsyncAction action);
  Status generate_vouchers(const Principal& who, AsyncAction& action);
  Status import_orders(const Principal& who, AsyncAction& action);
  // Saves a job's progress and renews its lease (error key lease_lost when it went elsewhere).
  Status checkpoint(AsyncAction& action);

  Store& store_;
  const Wire& wire_;
  std::string worker_id_;
  std::chrono::milliseconds lease_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool woken_ = false;
  std::atomic<bool> stopping_{false};
  std::map<std::string, Handler, std::less<>> handlers_;
};

}  // namespace openpromo
