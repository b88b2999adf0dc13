#include "api/http_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

namespace openpromo::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// What the shutdown path needs to reach a live connection: its stream and whether it is between
// requests. Touched only on the connection's strand, except `busy`, which is atomic.
struct Connection {
  explicit Connection(beast::tcp_stream& s) : stream(&s), executor(s.get_executor()) {}
  beast::tcp_stream* stream;       // valid while `alive`; dereference only on `executor`
  asio::any_io_executor executor;  // the connection's strand, held by value
  std::atomic<bool> busy{false};
  bool alive = true;  // written and read only on `executor`
};

HttpRequest to_request(http::request<http::string_body>&& req, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.headers.reserve(16);
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = std::move(req.body());
  out.remote_address = remote;
  return out;
}

// `head_only`: answer a HEAD request: the headers a GET would get, Content-Length included, and
// no body bytes.
http::response<http::string_body> to_beast(HttpResponse&& r, unsigned version, bool keep_alive,
                                           bool head_only = false) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "openpromo");
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  for (auto& [name, value] : r.headers) res.insert(name, value);
  res.keep_alive(keep_alive);
  if (r.status == 204 || r.status == 304 || r.status < 200) return res;  // no body, no length
  if (head_only) {
    res.content_length(r.body.size());
    return res;
  }
  res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

bool is_disconnect(const boost::system::error_code& ec) {
  return ec == beast::error::timeout || ec == http::error::end_of_stream ||
         ec == asio::error::eof || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset;
}

Error malformed(const boost::system::error_code& ec) {
  return Error{400, "invalid_request", "Malformed HTTP request", ec.message(), {}, {}};
}

}  // namespace

struct HttpServer::Impl {
  Error header_too_large() const {
    return Error{431,
                 "query_too_large",
                 "Request header too large",
                 "Headers and query string are limited to " +
                     std::to_string(options.max_header_bytes) + " bytes",
                 {},
                 {}};
  }
  Error body_too_large() const {
    return Error{413,
                 "query_too_large",
                 "Request body too large",
                 "The body is limited to " + std::to_string(options.max_body_bytes) + " bytes",
                 {},
                 {}};
  }

  Impl(App& a, ServerOptions o)
      : app(a),
        options(std::move(o)),
        workers(static_cast<size_t>(std::max(1, options.workers))),
        accept_strand(asio::make_strand(ioc)),
        acceptor(accept_strand),
        signals(ioc, SIGINT, SIGTERM) {}

  App& app;
  ServerOptions options;
  asio::thread_pool workers;  // App::handle runs here (database work off the io threads)
  asio::io_context ioc;
  asio::strand<asio::io_context::executor_type> accept_strand;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::atomic<bool> stopping{false};

  std::mutex connections_mutex;
  std::unordered_set<std::shared_ptr<Connection>> connections;

  Result<uint16_t> listen() {
    boost::system::error_code ec;
    const std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) {
      return Error{400,
                   "invalid_listen_address",
                   "Invalid listen address",
                   "'" + options.host + "' is not an IP address",
                   {},
                   {}};
    }
    const tcp::endpoint endpoint(address, options.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Error{500,
                   "listen_failed",
                   "Cannot listen",
                   options.host + ":" + std::to_string(options.port) + ": " + ec.message(),
                   {},
                   {}};
    }
    return acceptor.local_endpoint().port();
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      auto strand = asio::make_strand(ioc);
      tcp::socket socket =
          co_await acceptor.async_accept(strand, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopping || !acceptor.is_open()) co_return;
        // Out of descriptors or a reset during the handshake: pause briefly instead of spinning.
        asio::steady_timer pause(ioc, std::chrono::milliseconds(10));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto executor = socket.get_executor();
      asio::co_spawn(executor, session(std::move(socket)), asio::detached);
    }
  }

  std::shared_ptr<Connection> track(beast::tcp_stream& stream) {
    auto c = std::make_shared<Connection>(stream);
    std::lock_guard lock(connections_mutex);
    connections.insert(c);
    return c;
  }

  // Untracks the connection when the session's frame unwinds, however it unwinds.
  struct Untrack {
    Impl* impl;
    std::shared_ptr<Connection> c;
    ~Untrack() {
      c->alive = false;
      std::lock_guard lock(impl->connections_mutex);
      impl->connections.erase(c);
    }
  };

  size_t open_connections() {
    std::lock_guard lock(connections_mutex);
    return connections.size();
  }

  // Writes a response for a request the transport refused, then closes without resetting the
  // connection: drain what the client still sends for a moment, so it can read our answer.
  asio::awaitable<void> refuse(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                               const Error& error, const std::string& method,
                               const std::string& remote) {
    HttpResponse r = app.reject(error, method, remote);
    auto res = to_beast(std::move(r), 11, false);
    boost::system::error_code ec;
    stream.expires_after(options.write_timeout);
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    buffer.clear();
    stream.expires_after(std::chrono::seconds(2));
    size_t drained = 0;
    while (!ec && drained < 16 * options.max_body_bytes) {
      drained += co_await stream.async_read_some(buffer.prepare(64 * 1024),
                                                 asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    std::string remote;
    {
      boost::system::error_code ec;
      auto ep = socket.remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string();
    }
    beast::tcp_stream stream(std::move(socket));
    auto self = track(stream);
    const Untrack untrack_on_exit{this, self};
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    try {
      for (;;) {
        if (buffer.size() == 0) {
          self->busy = false;
          if (stopping) break;
          stream.expires_after(options.idle_timeout);
          const size_t n = co_await stream.async_read_some(
              buffer.prepare(8192), asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
          buffer.commit(n);
        }
        self->busy = true;

        // g++ 12 may destroy temporaries in a co_await expression twice, so every object that
        // crosses a co_await here is a named local.
        std::optional<Error> refusal;
        std::string method;
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
        parser.body_limit(options.max_body_bytes);
        stream.expires_after(options.header_timeout);
        co_await http::async_read_header(stream, buffer, parser,
                                         asio::redirect_error(asio::use_awaitable, ec));
        if (!ec) method = std::string(parser.get().method_string());
        if (ec == http::error::header_limit) {
          refusal = header_too_large();
        } else if (ec == http::error::body_limit) {
          // Beast checks Content-Length against the body limit while reading the header.
          refusal = body_too_large();
        } else if (is_disconnect(ec)) {
          break;
        } else if (ec) {
          refusal = malformed(ec);
        } else if (!parser.is_done()) {
          if (parser.get().version() >= 11 &&
              beast::iequals(parser.get()[http::field::expect], "100-continue")) {
            http::response<http::empty_body> go_on{http::status::continue_, 11};
            stream.expires_after(options.write_timeout);
            co_await http::async_write(stream, go_on,
                                       asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
          }
          stream.expires_after(options.body_timeout);
          co_await http::async_read(stream, buffer, parser,
                                    asio::redirect_error(asio::use_awaitable, ec));
          if (ec == http::error::body_limit) {
            refusal = body_too_large();
          } else if (is_disconnect(ec) || ec == http::error::partial_message) {
            break;
          } else if (ec) {
            refusal = malformed(ec);
          }
        }
        if (refusal) {
          co_await refuse(stream, buffer, *refusal, method, remote);
          break;
        }

        auto req = parser.release();
        const unsigned version = req.version();
        const bool client_keep_alive = req.keep_alive();
        const bool head = req.method() == http::verb::head;
        const HttpRequest request = to_request(std::move(req), remote);
        HttpResponse response;
        if (options.workers > 0) {
          // Handled on the worker pool; the coroutine resumes on this connection's strand.
          auto handle_on_worker = [this, &request]() -> asio::awaitable<HttpResponse> {
            co_return app.handle(request);
          };
          auto handled =
              asio::co_spawn(workers.get_executor(), handle_on_worker, asio::use_awaitable);
          response = co_await std::move(handled);
        } else {
          response = app.handle(request);
        }
        const bool keep_alive = client_keep_alive && !response.close_connection && !stopping;
        if (!response.body_file.empty()) {
          // Streamed from disk in chunks: an export of a million rows never sits in memory.
          beast::error_code open_ec;
          http::file_body::value_type file;
          file.open(response.body_file.c_str(), beast::file_mode::scan, open_ec);
          if (!open_ec) {
            http::response<http::file_body> res{static_cast<http::status>(response.status),
                                                version};
            res.set(http::field::server, "openpromo");
            res.set(http::field::content_type, response.content_type);
            for (auto& [name, value] : response.headers) res.insert(name, value);
            res.keep_alive(keep_alive);
            if (head) {
              res.content_length(file.size());
              http::response_serializer<http::file_body> sr{res};
              stream.expires_after(options.write_timeout);
              co_await http::async_write_header(stream, sr,
                                                asio::redirect_error(asio::use_awaitable, ec));
            } else {
              res.body() = std::move(file);
              res.prepare_payload();
              // A large file to a slow client takes longer than one ordinary response.
              stream.expires_after(
                  std::max(options.write_timeout, std::chrono::milliseconds(600'000)));
              co_await http::async_write(stream, res,
                                         asio::redirect_error(asio::use_awaitable, ec));
            }
            if (ec || !keep_alive) break;
            continue;
          }
          // Deleted between the handler's check and now.
          response =
              app.reject(Error::not_found("export", ""), request.method, request.remote_address);
        }
        auto res = to_beast(std::move(response), version, keep_alive, head);
        stream.expires_after(options.write_timeout);
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !keep_alive) break;
      }
    } catch (const std::exception& e) {
      app.log_error("connection failed", e.what());
    }
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream.close();
  }

  void begin_shutdown() {
    if (stopping.exchange(true)) return;
    app.set_draining();
    // The acceptor is not thread-safe: close it on the strand its accept loop runs on.
    asio::post(accept_strand, [this] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
    });
    std::vector<std::shared_ptr<Connection>> snapshot;
    {
      std::lock_guard lock(connections_mutex);
      snapshot.assign(connections.begin(), connections.end());
    }
    for (auto& c : snapshot) {
      // Runs on the connection's strand, so it sees the coroutine suspended, never mid-step.
      asio::post(c->executor, [c] {
        if (c->alive && !c->busy) c->stream->cancel();
      });
    }
    asio::co_spawn(ioc, drain(), asio::detached);
  }

  // Waits for busy connections to finish, up to the grace period, then stops the loop.
  asio::awaitable<void> drain() {
    const auto deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
    asio::steady_timer timer(ioc);
    while (open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (open_connections() > 0) {
      ioc.stop();
      co_return;
    }
    // Done: drop the wait for a second signal so the loop runs out of work and returns.
    boost::system::error_code ignored;
    signals.cancel(ignored);
  }

  void run() {
    signals.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      // Arm the wait for a second signal (stop at once) before draining starts: the drain may
      // finish on another thread right away, and it cancels this wait so the loop can return.
      signals.async_wait([this](const boost::system::error_code& again, int) {
        if (!again) ioc.stop();
      });
      begin_shutdown();
    });
    asio::co_spawn(accept_strand, accept_loop(), asio::detached);
    std::vector<std::thread> io_threads;
    for (int i = 1; i < options.threads; ++i) io_threads.emplace_back([this] { ioc.run(); });
    ioc.run();
    for (auto& t : io_threads) t.join();
    workers.join();
  }
};

HttpServer::HttpServer(App& app, ServerOptions options)
    : impl_(std::make_unique<Impl>(app, std::move(options))) {}

HttpServer::~HttpServer() = default;

Result<uint16_t> HttpServer::listen() {
  return impl_->listen();
}

void HttpServer::run() {
  impl_->run();
}

}  // namespace openpromo::api
