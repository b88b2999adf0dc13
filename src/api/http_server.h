// HttpServer: HTTP/1.1 on Boost.Beast, feeding requests to an App.
//
// One io_context run by `threads` threads; each connection is a coroutine on its own strand
// (read -> handle -> write -> read), so a connection's steps never run concurrently. The handling
// itself (App::handle, which blocks on the database) runs on a pool of `workers` threads, so a
// slow query or a writer waiting for SQLite's lock never stalls the sockets other connections
// are read and written on; `workers = 0` handles on the io threads. Limits: body size (413),
// header size (431), idle keep-alive, header, body and write timeouts.
//
// Graceful shutdown on SIGTERM/SIGINT: stop accepting, close idle connections, let requests in
// flight finish and answer (with `Connection: close`), then return from run(). Connections still
// busy after `shutdown_grace` are cut.
//
// Beast and Asio are included only by http_server.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/app.h"
#include "core/error.h"

namespace openpromo::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see listen())
  int threads = 1;
  int workers = 2;  // threads that run App::handle; 0: the io threads do
  size_t max_body_bytes = 1024 * 1024;
  size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  std::chrono::milliseconds header_timeout{10'000};  // from the first byte to the full header
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_grace{30'000};
};

class HttpServer {
 public:
  HttpServer(App& app, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the bound port (useful with port 0).
  Result<uint16_t> listen();
  // Serves until SIGTERM or SIGINT, then drains. REQUIRES: listen() succeeded.
  void run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openpromo::api
