// Request metrics in the Prometheus text format: a counter and a latency histogram per
// (method, route pattern, status). Route patterns, not raw paths, are the labels, so codes and
// ids in URLs never become label values.
//
// Thread-safety: observe() and render() may be called concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace openpromo::api {

class Metrics {
 public:
  static constexpr std::array<double, 14> kBucketsSeconds{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

  void observe(std::string_view method, std::string_view route, int status, int64_t micros);
  // A catalog snapshot load found a stored definition it cannot read (kind: validation_rule,
  // segment, collection, campaign, promotion_tier). The incentives that use it fail closed.
  void unreadable_definition(std::string_view kind);
  uint64_t unreadable_definitions(std::string_view kind) const;
  std::string render() const;

 private:
  struct Series {
    uint64_t count = 0;
    double sum_seconds = 0;
    std::array<uint64_t, kBucketsSeconds.size()> buckets{};  // non-cumulative
  };
  using Key = std::tuple<std::string, std::string, int>;

  mutable std::mutex mutex_;
  std::map<Key, Series> series_;
  std::map<std::string, uint64_t, std::less<>> unreadable_;
};

}  // namespace openpromo::api
