// Plain HTTP request and response values. The Beast server (http_server.cpp) converts to and
// from these, so routing, auth and handlers never include Beast or Asio and can be tested
// in-process without sockets.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openpromo::api {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // upper case: "GET", "POST", ...
  std::string target;  // as sent: path and query
  Headers headers;     // names lower-cased
  std::string body;
  std::string remote_address;

  // The first header with this lower-case name, or "".
  std::string_view header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return {};
  }
  std::string_view path() const {
    const auto q = target.find('?');
    return std::string_view(target).substr(0, q);
  }
  std::string_view query() const {
    const auto q = target.find('?');
    return q == std::string::npos ? std::string_view{} : std::string_view(target).substr(q + 1);
  }
};

struct HttpResponse {
  int status = 200;
  Headers headers;  // besides Content-Type, which follows `content_type`
  std::string content_type = "application/json";
  std::string body;
  // When set, the response body is this file, streamed from disk rather than held in memory
  // (export downloads); `body` is then ignored.
  std::string body_file;
  bool close_connection = false;
};

}  // namespace openpromo::api
