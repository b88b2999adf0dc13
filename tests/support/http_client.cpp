#include "support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace openpromo::testing {

boost::json::value HttpResult::json() const {
  return boost::json::parse(body);
}

std::string HttpResult::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(uint16_t port) : port_(port) {}

HttpClient::~HttpClient() {
  if (fd_ >= 0) ::close(fd_);
}

void HttpClient::connect() {
  if (fd_ >= 0) ::close(fd_);
  pending_.clear();
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(std::string("connect failed: ") + std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{30, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

void HttpClient::send_raw(std::string_view bytes) {
  if (fd_ < 0) connect();
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("send failed: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

bool HttpClient::closed_by_peer() {
  if (fd_ < 0) return true;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 2000) <= 0) return false;
  char c;
  return ::recv(fd_, &c, 1, MSG_PEEK) == 0;
}

HttpResult HttpClient::read_response() {
  return read(false);
}

HttpResult HttpClient::read_response_to_head() {
  return read(true);
}

HttpResult HttpClient::read(bool head_only) {
  auto fill = [&]() -> bool {
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      pending_.append(buf, static_cast<size_t>(n));
      return true;
    }
  };
  size_t header_end;
  while ((header_end = pending_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) throw std::runtime_error("connection closed before a response header");
  }
  HttpResult r;
  const std::string head = pending_.substr(0, header_end);
  pending_.erase(0, header_end + 4);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  r.status = std::stoi(status_line.substr(9, 3));
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[name] = value;
  }
  if (r.status == 100) return read(head_only);  // interim response: read the final one
  const auto length = r.headers.find("content-length");
  if (head_only) {
    // no body follows
  } else if (length != r.headers.end()) {
    const size_t n = std::stoul(length->second);
    while (pending_.size() < n) {
      if (!fill()) throw std::runtime_error("connection closed inside a response body");
    }
    r.body = pending_.substr(0, n);
    pending_.erase(0, n);
  } else if (r.status != 204 && r.status != 304) {
    while (fill()) {
    }
    r.body = std::move(pending_);
    pending_.clear();
  }
  if (r.header("connection") == "close") {
    ::close(fd_);
    fd_ = -1;
  }
  return r;
}

HttpResult HttpClient::request(std::string_view method, std::string_view target,
                               std::string_view body, const HeaderList& headers) {
  if (fd_ < 0) connect();
  std::string req;
  req += method;
  req += ' ';
  req += target;
  req += " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    req += name + ": " + value + "\r\n";
    if (name == "Content-Type") has_type = true;
  }
  if (!body.empty()) {
    if (!has_type) req += "Content-Type: application/json\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  } else if (method == "POST" || method == "PUT") {
    req += "Content-Length: 0\r\n";
  }
  req += "\r\n";
  req += body;
  send_raw(req);
  return read_response();
}

}  // namespace openpromo::testing
