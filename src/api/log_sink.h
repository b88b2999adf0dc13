// LogSink: the server log's writer. Requests hand their line to memory and go on; one background
// thread writes what has gathered (every 20 ms, or at once past 64 KB), so no request waits on
// the log stream (the synchronous write was one system call per request on the hot path,
// issue 19). Nothing is dropped: lines are written whole and in the order they were handed in,
// flush() writes everything now, and the destructor flushes. A writer far behind (8 MB waiting)
// makes the producer write itself, so memory stays bounded. What a kill -9 loses: at most the
// last 20 ms of lines.
#pragma once

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace openpromo::api {

class LogSink {
 public:
  explicit LogSink(std::FILE* stream);
  ~LogSink();
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  // One line, ending in '\n'.
  void write(std::string_view line);
  // Writes every line handed in so far and flushes the stream.
  void flush();

 private:
  void run();

  std::FILE* stream_;
  std::mutex write_mutex_;  // held while a batch goes to the stream: batches stay in order
  std::mutex mutex_;        // guards pending_ and stop_
  std::condition_variable wake_;
  std::string pending_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace openpromo::api
