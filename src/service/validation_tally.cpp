#include "service/validation_tally.h"

namespace openpromo {

ValidationTally::ValidationTally(Store& store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      (void)flush();  // a failed write keeps its counts for the next one
      lock.lock();
    }
  });
}

ValidationTally::~ValidationTally() {
  stop();
}

void ValidationTally::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  (void)flush();
}

void ValidationTally::record(const Principal& who, const engine::Decision& decision, Instant at) {
  const int64_t day = ValidationCountRepository::day_of(at);
  std::lock_guard lock(mutex_);
  for (const engine::RedeemableResult& r : decision.redeemables) {
    if (!r.incentive || !r.incentive->campaign_id) continue;
    Key key{who.project_id, *r.incentive->campaign_id, day};
    auto it = pending_.find(key);
    if (it == pending_.end()) {
      if (pending_.size() >= kMaxKeys) continue;
      it = pending_.emplace(std::move(key), ValidationCounts{}).first;
    }
    ++it->second.validations;
    ++(r.status == engine::RedeemableStatus::kApplicable ? it->second.succeeded
                                                         : it->second.failed);
  }
}

Status ValidationTally::flush() {
  std::lock_guard one_at_a_time(flush_mutex_);
  std::map<Key, ValidationCounts> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
  }
  if (batch.empty()) return {};
  Status written = store_.in_write([&](UnitOfWork& tx) -> Status {
    ValidationCountRepository repo(tx);
    for (const auto& [key, counts] : batch) {
      OP_TRY(repo.add(std::get<0>(key), std::get<1>(key), std::get<2>(key), counts));
    }
    return {};
  });
  if (!written.ok()) {
    std::lock_guard lock(mutex_);
    for (const auto& [key, counts] : batch) {
      ValidationCounts& c = pending_[key];
      c.validations += counts.validations;
      c.succeeded += counts.succeeded;
      c.failed += counts.failed;
    }
  }
  return written;
}

}  // namespace openpromo
