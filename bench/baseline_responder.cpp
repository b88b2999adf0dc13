// The transport baseline of bench/run: a keep-alive HTTP/1.1 responder that answers every request
// with a fixed 2-byte body and parses nothing but the end of each request's header block. What
// it serves per second and its latency are what this machine's loopback, kernel and load
// generator allow; bench/run reports every HTTP figure of openpromo as a ratio to it, so results
// compare across machines.
//
//   baseline_responder PORT [THREADS]
//
// One epoll loop per thread, each on its own SO_REUSEPORT listener (the kernel spreads
// connections). Requests are counted by their "\r\n\r\n" terminators, so pipelined requests get
// one answer each; bodies are not expected (drive it with GET).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

constexpr std::string_view kAnswer =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
    "Connection: keep-alive\r\n\r\nok";

int listen_on(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1024) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Bytes of a request header end ("\r\n\r\n") seen so far, per connection, across reads.
struct Connection {
  int matched = 0;
};

void serve(int port) {
  const int listener = listen_on(port);
  if (listener < 0) {
    std::perror("baseline_responder: listen");
    std::exit(1);
  }
  const int epoll = ::epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  ::epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &ev);
  std::unordered_map<int, Connection> connections;
  std::vector<epoll_event> events(256);
  std::vector<char> buffer(64 * 1024);
  std::string out;
  constexpr std::string_view kEnd = "\r\n\r\n";
  for (;;) {
    const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        for (;;) {
          const int client = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
          if (client < 0) break;
          const int one = 1;
          ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = client;
          ::epoll_ctl(epoll, EPOLL_CTL_ADD, client, &cev);
          connections[client] = Connection{};
        }
        continue;
      }
      Connection& c = connections[fd];
      bool closed = false;
      out.clear();
      for (;;) {
        const ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
          closed = true;
          break;
        }
        if (got < 0) break;
        for (ssize_t k = 0; k < got; ++k) {
          c.matched = buffer[k] == kEnd[c.matched] ? c.matched + 1 : (buffer[k] == '\r' ? 1 : 0);
          if (c.matched == 4) {
            out += kAnswer;
            c.matched = 0;
          }
        }
      }
      // Small answers to a loopback peer: one write is enough in practice; a short write
      // closes the connection rather than buffering (the baseline stays simple).
      if (!closed && !out.empty() &&
          ::write(fd, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
        closed = true;
      }
      if (closed) {
        ::epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        connections.erase(fd);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: baseline_responder PORT [THREADS]\n", stderr);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int threads =
      argc > 2 ? std::atoi(argv[2]) : static_cast<int>(std::thread::hardware_concurrency());
  std::vector<std::thread> loops;
  for (int t = 1; t < threads; ++t) loops.emplace_back(serve, port);
  std::printf("baseline listening on http://127.0.0.1:%d\n", port);
  std::fflush(stdout);
  serve(port);
}
