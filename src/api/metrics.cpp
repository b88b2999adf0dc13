#include "api/metrics.h"

#include <cstdio>

namespace openpromo::api {

void Metrics::observe(std::string_view method, std::string_view route, int status, int64_t micros) {
  const double seconds = static_cast<double>(micros) / 1e6;
  std::lock_guard lock(mutex_);
  Series& s = series_[Key{std::string(method), std::string(route), status}];
  ++s.count;
  s.sum_seconds += seconds;
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    if (seconds <= kBucketsSeconds[i]) {
      ++s.buckets[i];
      break;
    }
  }
}

void Metrics::unreadable_definition(std::string_view kind) {
  std::lock_guard lock(mutex_);
  auto it = unreadable_.find(kind);
  if (it == unreadable_.end()) it = unreadable_.emplace(std::string(kind), 0).first;
  ++it->second;
}

uint64_t Metrics::unreadable_definitions(std::string_view kind) const {
  std::lock_guard lock(mutex_);
  const auto it = unreadable_.find(kind);
  return it == unreadable_.end() ? 0 : it->second;
}

namespace {

std::string escape_label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string format_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP openpromo_http_requests_total HTTP requests served.\n";
  out += "# TYPE openpromo_http_requests_total counter\n";
  for (const auto& [key, s] : series_) {
    const auto& [method, route, status] = key;
    out += "openpromo_http_requests_total{method=\"" + escape_label(method) + "\",route=\"" +
           escape_label(route) + "\",status=\"" + std::to_string(status) + "\"} " +
           std::to_string(s.count) + "\n";
  }
  out += "# HELP openpromo_http_request_duration_seconds Time from a full request to its reply.\n";
  out += "# TYPE openpromo_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : series_) {
    const auto& [method, route, status] = key;
    const std::string labels = "method=\"" + escape_label(method) + "\",route=\"" +
                               escape_label(route) + "\",status=\"" + std::to_string(status) + "\"";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
      cumulative += s.buckets[i];
      out += "openpromo_http_request_duration_seconds_bucket{" + labels + ",le=\"" +
             format_double(kBucketsSeconds[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "openpromo_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(s.count) + "\n";
    out += "openpromo_http_request_duration_seconds_sum{" + labels + "} " +
           format_double(s.sum_seconds) + "\n";
    out += "openpromo_http_request_duration_seconds_count{" + labels + "} " +
           std::to_string(s.count) + "\n";
  }
  out +=
      "# HELP openpromo_unreadable_definitions_total Stored definitions a catalog load could "
      "not read (their incentives are inapplicable).\n";
  out += "# TYPE openpromo_unreadable_definitions_total counter\n";
  for (const auto& [kind, n] : unreadable_) {
    out += "openpromo_unreadable_definitions_total{kind=\"" + escape_label(kind) + "\"} " +
           std::to_string(n) + "\n";
  }
  return out;
}

}  // namespace openpromo::api
