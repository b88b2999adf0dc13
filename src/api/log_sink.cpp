#include "api/log_sink.h"

#include <chrono>

namespace openpromo::api {

namespace {
constexpr size_t kWakeBytes = 64 * 1024;
constexpr size_t kBackpressureBytes = 8 * 1024 * 1024;
constexpr auto kInterval = std::chrono::milliseconds(20);
}  // namespace

LogSink::LogSink(std::FILE* stream) : stream_(stream), thread_([this] { run(); }) {}

LogSink::~LogSink() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  flush();
}

void LogSink::write(std::string_view line) {
  bool wake = false, behind = false;
  {
    std::lock_guard lock(mutex_);
    pending_.append(line);
    wake = pending_.size() >= kWakeBytes;
    behind = pending_.size() >= kBackpressureBytes;
  }
  if (behind) {
    flush();
  } else if (wake) {
    wake_.notify_one();
  }
}

void LogSink::flush() {
  std::lock_guard order(write_mutex_);
  std::string batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_);
  }
  if (!batch.empty()) std::fwrite(batch.data(), 1, batch.size(), stream_);
  std::fflush(stream_);
}

void LogSink::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, kInterval, [&] { return stop_ || pending_.size() >= kWakeBytes; });
    if (pending_.empty()) continue;
    lock.unlock();
    flush();
    lock.lock();
  }
}

}  // namespace openpromo::api
