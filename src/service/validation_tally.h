// ValidationTally: how many validations each campaign got, per day (issue 20: the summary's
// `validations*` counters and the dashboard's validation charts).
//
// A validation stays a read: it only adds to this in-memory tally. A background thread writes
// the tally every `interval` in one write unit (an upsert that adds, so nodes never conflict),
// and once more when stopped. A crash loses at most the last interval's counts: they are
// analytics, never money. A write that fails keeps its counts for the next one (a commit whose
// outcome is unknown, a lost connection at COMMIT, may so count its batch twice).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>

#include "core/error.h"
#include "engine/types.h"
#include "model/api_key.h"
#include "store/store.h"
#include "store/validation_count_repository.h"

namespace openpromo {

class ValidationTally {
 public:
  explicit ValidationTally(Store& store,
                           std::chrono::milliseconds interval = std::chrono::seconds(1));
  ~ValidationTally();
  ValidationTally(const ValidationTally&) = delete;
  ValidationTally& operator=(const ValidationTally&) = delete;

  // Counts each redeemable of a campaign in `decision`: succeeded when it applied.
  void record(const Principal& who, const engine::Decision& decision, Instant at);
  // Writes what was counted so far (the thread does it every interval).
  Status flush();
  // Flushes and stops the thread; later records are written by explicit flushes only.
  void stop();

 private:
  using Key = std::tuple<std::string, std::string, int64_t>;  // project, campaign, day
  // Beyond this many campaign-days waiting for a write, new ones are not counted (the map stays
  // bounded if the database is down for long).
  static constexpr size_t kMaxKeys = 100000;

  Store& store_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<Key, ValidationCounts> pending_;
  std::mutex flush_mutex_;  // one write at a time
  std::thread thread_;
};

}  // namespace openpromo
