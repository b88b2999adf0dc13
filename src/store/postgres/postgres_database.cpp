#include "store/postgres/postgres_database.h"

#include <libpq-fe.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace openpromo::sql {

std::string to_postgres_placeholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;  // a doubled quote closes and reopens: same result
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  if (count) *count = n;
  return out;
}

namespace {

// Type OIDs from PostgreSQL's pg_type.dat; stable across versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

Error pg_error(PGconn* conn, const PGresult* res, std::string_view what) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = res ? PQresultErrorMessage(res) : "";
  if (message.empty() && conn) message = PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::string details = std::string(what) + ": " + message;
  const std::string_view code = state ? state : "";
  if (code == "23505") {
    return Error{409, std::string(kUniqueViolation), "Duplicated resource found", details, {}, {}};
  }
  if (code == "23503") {
    return Error{400, std::string(kForeignKeyViolation), "Resource in use", details, {}, {}};
  }
  // Connection loss, shutdown, too many connections, serialization failure, deadlock: the request
  // may be retried; nothing was committed.
  if (code.starts_with("08") || code.starts_with("57P") || code == "53300" || code == "40001" ||
      code == "40P01" || (conn && PQstatus(conn) == CONNECTION_BAD)) {
    return Error::unavailable(details);
  }
  return Error::internal(details);
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

  // After a lost connection: reconnect and forget prepared statements (they died with it).
  bool reset() {
    PQreset(conn_);
    statements_.clear();
    return healthy();
  }

  using Connection::query;
  Result<ResultSet> query(std::string_view sql, std::span<const Value> params) override {
    auto name = prepare(sql, params.size());
    if (!name.ok()) return std::move(name).take_error();

    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) continue;
      if (const auto* n = std::get_if<int64_t>(&v)) {
        text[i] = std::to_string(*n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
        text[i].assign(buf, end);
      } else {
        text[i] = std::get<std::string>(v);
      }
      values[i] = text[i].c_str();
    }
    // An empty name means the cache is full: run the statement unprepared, once.
    ResultPtr res(name->empty()
                      ? PQexecParams(conn_, to_postgres_placeholders(sql).c_str(),
                                     static_cast<int>(params.size()), nullptr, values.data(),
                                     nullptr, nullptr, 0)
                      : PQexecPrepared(conn_, name->c_str(), static_cast<int>(params.size()),
                                       values.data(), nullptr, nullptr, 0));
    const auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      return pg_error(conn_, res.get(), "query");
    }
    ResultSet out;
    const int rows = PQntuples(res.get());
    const int cols = PQnfields(res.get());
    out.rows.reserve(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) {
      Row row;
      row.columns.reserve(static_cast<size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          row.columns.emplace_back(std::monostate{});
          continue;
        }
        const char* raw = PQgetvalue(res.get(), r, c);
        const size_t len = static_cast<size_t>(PQgetlength(res.get(), r, c));
        switch (PQftype(res.get(), c)) {
          case kInt8Oid:
          case kInt4Oid:
          case kInt2Oid: {
            int64_t n = 0;
            std::from_chars(raw, raw + len, n);
            row.columns.emplace_back(n);
            break;
          }
          case kBoolOid:
            row.columns.emplace_back(int64_t{raw[0] == 't' ? 1 : 0});
            break;
          case kFloat4Oid:
          case kFloat8Oid:
          case kNumericOid: {
            double d = 0;
            std::from_chars(raw, raw + len, d);
            row.columns.emplace_back(d);
            break;
          }
          default:
            row.columns.emplace_back(std::string(raw, len));
        }
      }
      out.rows.push_back(std::move(row));
    }
    const char* affected = PQcmdTuples(res.get());
    if (affected && *affected) {
      std::from_chars(affected, affected + std::strlen(affected), out.affected);
    }
    return out;
  }

  Status exec_script(std::string_view sql) override {
    const std::string text(sql);
    ResultPtr res(PQexec(conn_, text.c_str()));
    const auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return pg_error(conn_, res.get(), "script");
    }
    return {};
  }

  Status begin_write() override { return exec_script("BEGIN ISOLATION LEVEL READ COMMITTED"); }
  Status begin_read() override {
    return exec_script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  }
  Status commit() override { return exec_script("COMMIT"); }
  void rollback() noexcept override {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) (void)exec_script("ROLLBACK");
  }

  // Serializes schema migration across every node that starts at once.
  Status lock_for_migration() override {
    OP_TRY(query("SELECT pg_advisory_xact_lock(?)", {int64_t{0x6f70656e70726f}}));
    return {};
  }

  bool in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

 private:
  Result<std::string> prepare(std::string_view sql, size_t param_count) {
    std::string key(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second;
    int placeholders = 0;
    const std::string converted = to_postgres_placeholders(sql, &placeholders);
    if (static_cast<size_t>(placeholders) != param_count) {
      return Error::internal("parameter count mismatch for: " + key);
    }
    if (statements_.size() >= kMaxCachedStatements) return std::string();
    std::string name = "s" + std::to_string(statements_.size() + 1);
    ResultPtr res(PQprepare(conn_, name.c_str(), converted.c_str(), placeholders, nullptr));
    if (!res || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
      return pg_error(conn_, res.get(), "prepare");
    }
    statements_.emplace(std::move(key), name);
    return name;
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> statements_;
};

// LISTEN on a dedicated connection in a background thread. The thread waits in poll() on the
// connection's socket and an eventfd that the destructor signals, so stopping is immediate.
// After every (re)connection the callback gets nullopt: whatever was notified while no
// connection listened is unknown, so listeners must treat everything as changed.
class PostgresSubscription final : public Subscription {
 public:
  PostgresSubscription(std::string conninfo, std::string channel, NotificationCallback callback)
      : conninfo_(std::move(conninfo)),
        channel_(std::move(channel)),
        callback_(std::move(callback)),
        wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    thread_ = std::thread([this] { run(); });
  }
  ~PostgresSubscription() override {
    stopping_ = true;
    const uint64_t one = 1;
    if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof one);
    thread_.join();
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }
  PostgresSubscription(const PostgresSubscription&) = delete;
  PostgresSubscription& operator=(const PostgresSubscription&) = delete;

 private:
  void run() {
    while (!stopping_) {
      PGconn* conn = listen_connection();
      if (!conn) {
        wait_for(nullptr, 500);  // retry later; the stop signal cuts the wait short
        continue;
      }
      callback_(std::nullopt);
      deliver_until_lost(conn);
      PQfinish(conn);
    }
  }

  PGconn* listen_connection() {
    // A bounded connect (the destructor joins this thread) and TCP keepalives: an idle LISTEN
    // connection whose peer vanished is noticed and replaced instead of waiting forever.
    const char* keys[] = {"dbname",
                          "connect_timeout",
                          "keepalives",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          nullptr};
    const char* values[] = {conninfo_.c_str(), "5", "1", "10", "5", "3", nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
      PQfinish(conn);
      return nullptr;
    }
    char* quoted = PQescapeIdentifier(conn, channel_.c_str(), channel_.size());
    const std::string sql = std::string("LISTEN ") + (quoted ? quoted : "\"\"");
    PQfreemem(quoted);
    PGresult* res = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
      PQfinish(conn);
      return nullptr;
    }
    return conn;
  }

  // Returns when the connection is lost or the subscription stops.
  void deliver_until_lost(PGconn* conn) {
    while (!stopping_) {
      if (!wait_for(conn, -1)) continue;
      if (!PQconsumeInput(conn)) return;  // connection lost
      while (PGnotify* n = PQnotifies(conn)) {
        callback_(std::string(n->extra ? n->extra : ""));
        PQfreemem(n);
      }
      if (PQstatus(conn) != CONNECTION_OK) return;
    }
  }

  // Waits for input on `conn` (if any) or the stop signal, at most `timeout_ms` (-1: forever).
  // True when the connection has input.
  bool wait_for(PGconn* conn, int timeout_ms) {
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {conn ? PQsocket(conn) : -1, POLLIN, 0}};
    const int n = poll(fds, conn ? 2 : 1, timeout_ms);
    if (n <= 0) return false;
    return conn && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
  }

  std::string conninfo_;
  std::string channel_;
  NotificationCallback callback_;
  int wake_fd_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(PostgresOptions options) : options_(std::move(options)) {}
  ~PostgresDatabase() override { close(); }

  Status open() {
    for (int i = 0; i < options_.pool_size; ++i) {
      auto conn = connect();
      if (!conn.ok()) return std::move(conn).take_error();
      idle_.push_back(std::move(*conn));
    }
    return {};
  }

  std::string_view dialect() const override { return "postgresql"; }

  std::unique_ptr<Subscription> listen(const std::string& channel,
                                       NotificationCallback callback) override {
    return std::make_unique<PostgresSubscription>(options_.conninfo, channel, std::move(callback));
  }

  Result<ConnectionLease> acquire() override {
    std::unique_ptr<PostgresConnection> conn;
    {
      std::unique_lock lock(mutex_);
      available_.wait(lock, [&] { return !idle_.empty() || closed_; });
      if (closed_) return Error::unavailable("database is closed");
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
    if (!conn->healthy() && !conn->reset()) {
      release(std::move(conn));
      return Error::unavailable("cannot reach PostgreSQL");
    }
    return ConnectionLease(this, std::move(conn));
  }

  void close() override {
    std::vector<std::unique_ptr<PostgresConnection>> to_close;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      closed_ = true;
      to_close.swap(idle_);
    }
    available_.notify_all();
  }

 protected:
  void release(std::unique_ptr<Connection> conn) override {
    auto* pg = static_cast<PostgresConnection*>(conn.release());
    std::unique_ptr<PostgresConnection> owned(pg);
    owned->rollback();  // never hand out a connection inside someone else's transaction
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      idle_.push_back(std::move(owned));
    }
    available_.notify_one();
  }

 private:
  Result<std::unique_ptr<PostgresConnection>> connect() {
    PGconn* conn = PQconnectdb(options_.conninfo.c_str());
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
      std::string message = conn ? PQerrorMessage(conn) : "out of memory";
      while (!message.empty() && message.back() == '\n') message.pop_back();
      PQfinish(conn);
      return Error::unavailable("cannot connect to PostgreSQL: " + message);
    }
    auto owned = std::make_unique<PostgresConnection>(conn);
    OP_TRY(owned->exec_script("SET TIME ZONE 'UTC'; SET client_min_messages = WARNING;"));
    return owned;
  }

  PostgresOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PostgresConnection>> idle_;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<Database>> open_postgres(const PostgresOptions& options) {
  auto db = std::make_unique<PostgresDatabase>(options);
  OP_TRY(db->open());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace openpromo::sql
