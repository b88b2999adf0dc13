#include "store/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace openpromo::sql {
namespace {

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  const int extended = db ? sqlite3_extended_errcode(db) : rc;
  std::string details = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Error{409, std::string(kUniqueViolation), "Duplicated resource found", details, {}, {}};
  }
  if (extended == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return Error{400, std::string(kForeignKeyViolation), "Resource in use", details, {}, {}};
  }
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    return Error::unavailable(details);
  }
  return Error::internal(details);
}

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  void release_cache_memory() noexcept override { sqlite3_db_release_memory(db_); }
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  using Connection::query;
  Result<ResultSet> query(std::string_view sql, std::span<const Value> params) override {
    bool cached = true;
    auto prepared = prepare(sql, cached);
    if (!prepared.ok()) return std::move(prepared).take_error();
    sqlite3_stmt* stmt = *prepared;
    // On every exit path: reset a cached statement so it is reusable and holds no read lock;
    // finalize one that was not cached.
    struct Resetter {
      sqlite3_stmt* s;
      bool cached;
      ~Resetter() {
        if (!cached) {
          sqlite3_finalize(s);
          return;
        }
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } resetter{stmt, cached};

    if (static_cast<size_t>(sqlite3_bind_parameter_count(stmt)) != params.size()) {
      return Error::internal("parameter count mismatch for: " + std::string(sql));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (const auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, index, *d);
      } else {
        const auto& s = std::get<std::string>(v);
        // SQLITE_STATIC: `params` outlives the statement's use (bindings are cleared before
        // this function returns), so SQLite need not copy every string.
        rc = sqlite3_bind_text64(stmt, index, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) return sqlite_error(db_, rc, "bind");
    }

    ResultSet out;
    const int columns = sqlite3_column_count(stmt);
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return sqlite_error(db_, rc, "step");
      Row row;
      row.columns.reserve(static_cast<size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            row.columns.emplace_back(std::monostate{});
            break;
          case SQLITE_INTEGER:
            row.columns.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            row.columns.emplace_back(sqlite3_column_double(stmt, c));
            break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            row.columns.emplace_back(
                std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
          }
        }
      }
      out.rows.push_back(std::move(row));
    }
    out.affected = sqlite3_changes64(db_);
    return out;
  }

  Status exec_script(std::string_view sql) override {
    const std::string text(sql);
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string details = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      return Error::internal("script: " + details);
    }
    return {};
  }

  Status begin_write() override { return simple("BEGIN IMMEDIATE"); }
  Status begin_read() override { return simple("BEGIN DEFERRED"); }
  Status commit() override { return simple("COMMIT"); }
  void rollback() noexcept override {
    if (!sqlite3_get_autocommit(db_)) (void)simple("ROLLBACK");
  }

  Status simple(std::string_view sql) {
    auto r = query(sql, std::span<const Value>{});
    if (!r.ok()) return std::move(r).take_error();
    return {};
  }

 private:
  // Statements are cached per connection up to a bound: list queries build their SQL from the
  // request's filters, so the set of distinct texts is open-ended. Past the bound a statement is
  // prepared for one use (`cached` = false).
  Result<sqlite3_stmt*> prepare(std::string_view sql, bool& cached) {
    std::string key(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second;
    cached = statements_.size() < kMaxCachedStatements;
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                      cached ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare");
    if (cached) statements_.emplace(std::move(key), stmt);
    return stmt;
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(SqliteOptions options) : options_(std::move(options)) {}
  ~SqliteDatabase() override { close(); }

  Status open() {
    for (int i = 0; i < options_.pool_size; ++i) {
      auto conn = connect();
      if (!conn.ok()) return std::move(conn).take_error();
      idle_.push_back(std::move(*conn));
    }
    return {};
  }

  std::string_view dialect() const override { return "sqlite"; }

  Result<ConnectionLease> acquire() override {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || closed_; });
    if (closed_) return Error::unavailable("database is closed");
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return ConnectionLease(this, std::move(conn));
  }

  void close() override {
    std::vector<std::unique_ptr<Connection>> to_close;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      closed_ = true;
      to_close.swap(idle_);
    }
    available_.notify_all();
    // Closing the last connection checkpoints the WAL into the main file and removes it, so a
    // stopped server leaves one self-contained database file.
    while (to_close.size() > 1) to_close.pop_back();
    if (!to_close.empty()) (void)to_close.front()->exec_script("PRAGMA optimize;");
    to_close.clear();
  }

 protected:
  void release(std::unique_ptr<Connection> conn) override {
    conn->rollback();  // never hand out a connection inside someone else's transaction
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;  // conn is destroyed here, after close()
      idle_.push_back(std::move(conn));
    }
    available_.notify_one();
  }

 private:
  Result<std::unique_ptr<Connection>> connect() {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(options_.path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      Error e = sqlite_error(db, rc, "open " + options_.path);
      sqlite3_close_v2(db);
      return e;
    }
    sqlite3_busy_timeout(db, options_.busy_timeout_ms);
    auto conn = std::make_unique<SqliteConnection>(db);
    // Switching a new database file to WAL needs a moment of exclusive access, and SQLite does
    // not wait on its busy handler for it: another process creating the same file (several
    // nodes starting at once) makes it fail with "database is locked". Retry for a while.
    for (int attempt = 0;; ++attempt) {
      Status wal = conn->exec_script("PRAGMA journal_mode=WAL;");
      if (wal.ok()) break;
      const bool busy = wal.error().details.find("locked") != std::string::npos ||
                        wal.error().details.find("busy") != std::string::npos;
      if (!busy || attempt * 10 >= options_.busy_timeout_ms) return std::move(wal).take_error();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    OP_TRY(conn->exec_script(
        "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        "PRAGMA case_sensitive_like=ON;"
        // The code index has random keys by nature; its hot pages must stay in memory for bulk
        // generation. The cache grows only as pages are used (256 MiB at most per connection).
        "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;"
        // Checkpoint every 64 MiB of WAL rather than every 4 MiB: fewer fsyncs of the main file
        // under bulk writes. (A background checkpointer was tried: under a continuous writer the
        // WAL never restarts and grows without bound.)
        "PRAGMA wal_autocheckpoint=16384;"));
    return std::unique_ptr<Connection>(std::move(conn));
  }

  SqliteOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite(const SqliteOptions& options) {
  const std::filesystem::path path(options.path);
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      return Error::internal("cannot create " + path.parent_path().string() + ": " + ec.message());
  }
  auto db = std::make_unique<SqliteDatabase>(options);
  OP_TRY(db->open());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace openpromo::sql
