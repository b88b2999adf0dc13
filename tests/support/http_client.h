// A small blocking HTTP/1.1 client over a plain socket, for integration tests. It sends exactly
// the bytes it is given (so tests can send malformed or partial requests) and parses responses
// with Content-Length or connection close.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openpromo::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  boost::json::value json() const;  // REQUIRES: body is JSON
  std::string header(const std::string& lower_name) const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(uint16_t port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends a request on the kept-alive connection (reconnecting if the server closed it).
  HttpResult request(std::string_view method, std::string_view target, std::string_view body = {},
                     const HeaderList& headers = {});

  // Raw access for malformed and slow requests.
  void connect();
  void send_raw(std::string_view bytes);
  HttpResult read_response();  // throws std::runtime_error if the connection closes first
  // Reads a response to HEAD: its headers only, whatever Content-Length says.
  HttpResult read_response_to_head();
  bool closed_by_peer();  // true when the server has closed its side

 private:
  uint16_t port_;
  int fd_ = -1;
  HttpResult read(bool head);
  std::string pending_;  // bytes read past the previous response
};

}  // namespace openpromo::testing
