// Polling an async action over HTTP until a condition holds (tests of background jobs).
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "support/http_client.h"

namespace openpromo::testing {

// GET /v1/async-actions/{id} until `done(action)` or the deadline; the last state seen.
inline boost::json::object poll_action(
    HttpClient& c, const HeaderList& auth, const std::string& id, int timeout_seconds,
    const std::function<bool(const boost::json::object&)>& done) {
  boost::json::object last;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = c.request("GET", "/v1/async-actions/" + id, "", auth);
    if (r.status == 200) last = r.json().as_object();
    if (!last.empty() && done(last)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last;
}

inline bool action_finished(const boost::json::object& a) {
  return a.at("status").as_string() == "DONE" || a.at("status").as_string() == "FAILED";
}

}  // namespace openpromo::testing
