// LogSink writes every line handed to it, whole and in order, without the caller waiting on the
// stream: flush() makes them visible at once, the destructor writes what is left.
#include "api/log_sink.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace openpromo::api {
namespace {

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

TEST(LogSinkTest, FlushWritesEveryLineHandedInSoFar) {
  std::FILE* f = std::tmpfile();
  {
    LogSink sink(f);
    sink.write("one\n");
    sink.write("two\n");
    sink.flush();
    EXPECT_EQ(contents(f), "one\ntwo\n");
    std::fseek(f, 0, SEEK_END);  // go on appending after the read
    sink.write("three\n");
  }
  EXPECT_EQ(contents(f), "one\ntwo\nthree\n");
  std::fclose(f);
}

TEST(LogSinkTest, ManyThreadsLoseNoLineAndKeepEachThreadsOrder) {
  std::FILE* f = std::tmpfile();
  constexpr int kThreads = 4, kLines = 30000;  // > 8 MB in all: exercises the back-pressure path
  {
    LogSink sink(f);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&sink, t] {
        const std::string pad(60, 'x');
        for (int i = 0; i < kLines; ++i) {
          sink.write(std::to_string(t) + " " + std::to_string(i) + " " + pad + "\n");
        }
      });
    }
    for (auto& th : threads) th.join();
  }  // the destructor writes what is left
  std::istringstream in(contents(f));
  std::map<int, int> next;
  std::string line;
  int total = 0;
  while (std::getline(in, line)) {
    int t = -1, i = -1;
    char pad[128];
    ASSERT_EQ(std::sscanf(line.c_str(), "%d %d %127s", &t, &i, pad), 3) << line;
    ASSERT_EQ(std::string(pad), std::string(60, 'x')) << "a line was split or mixed: " << line;
    ASSERT_EQ(i, next[t]) << "thread " << t << " out of order";
    next[t] = i + 1;
    ++total;
  }
  EXPECT_EQ(total, kThreads * kLines);
  std::fclose(f);
}

}  // namespace
}  // namespace openpromo::api
