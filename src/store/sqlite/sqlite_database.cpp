#include "store/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <atomic>
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
    if (in_transaction()) (void)simple("ROLLBACK");
  }
  bool in_transaction() const { return !sqlite3_get_autocommit(db_); }

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

// ---- the writer and group commit ------------------------------------------------------------
//
// Every write unit of this process runs on one writer connection, one unit at a time: the turn.
// (SQLite's own wait for its write lock is a busy handler that sleeps and polls, 1, 2, 5, 10 ms
// ..., so with several request threads writing, the lock could sit free while waiters slept; a
// mutex hands the turn over the moment a unit ends, and group commit needs the one connection.)
// Other processes on the file (the CLI, a second node) still meet the busy handler. The wait for
// the turn is bounded by the busy timeout, as SQLite's was; a second write unit opened by the
// thread that holds the turn is refused at once (503).
//
// Group commit: units that allow it (Store::grouped_write) share a transaction, the batch. Each
// runs in a savepoint of it; when one ends while another unit already waits for the turn, it
// hands the turn over and waits for the batch to commit instead of committing itself. The unit
// that ends with nobody waiting (or fills the batch, or must commit at once, or does not group)
// commits the batch for all. A unit's commit() returns only after the batch's COMMIT, with its
// outcome: nothing is acknowledged before it is committed. A unit that fails rolls back to its
// savepoint and the batch keeps the others' writes; it too returns only once the batch-mates'
// writes it may have decided on are committed. The batch costs one WAL write (and with
// synchronous=FULL one fsync) instead of one per unit.

struct Batch {
  int units = 0;      // units whose writes it holds (released savepoints)
  bool done = false;  // guarded by WriterGroup::mutex_
  Status outcome;
};

class WriterGroup {
 public:
  static constexpr int kMaxBatch = 64;

  WriterGroup(std::unique_ptr<SqliteConnection> conn, std::chrono::milliseconds timeout)
      : conn_(std::move(conn)), timeout_(timeout) {}

  Status take_turn() {
    // A second write unit opened by the thread that holds the turn would wait for itself.
    if (owner_.load() == std::this_thread::get_id()) {
      return Error::unavailable("database is locked: this thread already has a write unit open");
    }
    ++waiting_;
    const bool got = turn_.try_lock_for(timeout_);
    --waiting_;
    if (!got) {
      return Error::unavailable("database is locked: a write took longer than the busy timeout");
    }
    owner_ = std::this_thread::get_id();
    return {};
  }
  void give_turn() {
    owner_ = std::thread::id();
    turn_.unlock();
  }
  bool others_waiting() const { return waiting_.load() > 0; }

  // The members below are for the turn's holder only.
  SqliteConnection& conn() { return *conn_; }
  std::shared_ptr<Batch> open;  // the batch in progress, if any

  // Ends the open batch: COMMIT (or ROLLBACK when that fails, or when the transaction was lost),
  // then tells its units.
  void finish_batch() {
    std::shared_ptr<Batch> b = std::move(open);
    open.reset();
    Status outcome;
    if (!conn_->in_transaction()) {
      outcome = Error::unavailable("the group commit's transaction was rolled back by SQLite");
    } else if (b->units == 0) {
      conn_->rollback();  // only failed units were in it
    } else {
      outcome = conn_->commit();
      if (!outcome.ok()) conn_->rollback();
      ++commits_;
    }
    {
      std::lock_guard lock(mutex_);
      b->outcome = std::move(outcome);
      b->done = true;
    }
    done_.notify_all();
  }

  // A unit that handed the turn over: waits for its batch's outcome. Should the turn stay free
  // with the batch still open (the waiter it was handed to gave up), ends the batch itself.
  Status wait(const std::shared_ptr<Batch>& b) {
    std::unique_lock lock(mutex_);
    while (!done_.wait_for(lock, std::chrono::milliseconds(5), [&] { return b->done; })) {
      lock.unlock();
      if (turn_.try_lock()) {
        if (open == b) finish_batch();
        turn_.unlock();
      }
      lock.lock();
    }
    return b->outcome;
  }

  void count_unit() { ++units_; }
  GroupCommitStats stats() const { return {units_.load(), commits_.load(), waiting_.load()}; }

 private:
  std::unique_ptr<SqliteConnection> conn_;
  std::chrono::milliseconds timeout_;
  std::timed_mutex turn_;
  std::atomic<int> waiting_{0};
  std::atomic<std::thread::id> owner_{};  // the thread holding the turn
  std::atomic<int64_t> units_{0}, commits_{0};
  std::mutex mutex_;
  std::condition_variable done_;
};

// One write unit's use of the writer connection, while it holds the turn.
class WriterSession final : public Connection {
 public:
  WriterSession(WriterGroup& group, bool may_group) : group_(group), may_group_(may_group) {}
  ~WriterSession() override { rollback(); }  // an abandoned unit gives its turn back

  using Connection::query;
  Result<ResultSet> query(std::string_view sql, std::span<const Value> params) override {
    if (!has_turn_) return Error::internal("write unit used after its commit");
    return group_.conn().query(sql, params);
  }
  Status exec_script(std::string_view sql) override {
    if (!has_turn_) return Error::internal("write unit used after its commit");
    return group_.conn().exec_script(sql);
  }

  Status begin_write() override {
    SqliteConnection& conn = group_.conn();
    // A unit that does not group, or a batch whose transaction SQLite rolled back: the open
    // batch ends first.
    if (group_.open && (!may_group_ || !conn.in_transaction())) group_.finish_batch();
    if (!may_group_) return conn.begin_write();
    if (!group_.open) {
      OP_TRY(conn.begin_write());
      group_.open = std::make_shared<Batch>();
    }
    batch_ = group_.open;
    return conn.simple("SAVEPOINT grouped_unit");
  }
  Status begin_read() override { return group_.conn().begin_read(); }
  void commit_at_once() noexcept override { at_once_ = true; }

  Status commit() override {
    if (!has_turn_) return Error::internal("write unit committed after its commit");
    group_.count_unit();
    if (!batch_) {
      Status done = group_.conn().commit();
      if (done.ok()) give_turn();  // a failed COMMIT leaves the transaction to rollback()
      return done;
    }
    OP_TRY(group_.conn().simple("RELEASE grouped_unit"));
    std::shared_ptr<Batch> b = std::move(batch_);
    batch_.reset();
    ++b->units;
    if (!at_once_ && b->units < WriterGroup::kMaxBatch && group_.others_waiting() &&
        group_.conn().in_transaction()) {
      give_turn();  // the next unit joins the batch
      return group_.wait(b);
    }
    group_.finish_batch();
    give_turn();
    return b->outcome;
  }

  void rollback() noexcept override {
    if (!has_turn_) return;  // committed, or handed over and ended with its batch
    SqliteConnection& conn = group_.conn();
    if (batch_) {
      (void)conn.simple("ROLLBACK TO grouped_unit");
      (void)conn.simple("RELEASE grouped_unit");
      std::shared_ptr<Batch> b = std::move(batch_);
      batch_.reset();
      // A failed unit may have decided on its batch-mates' writes (a replayed answer, a limit
      // they reached): it returns only once those are committed. The batch goes on with the
      // next unit, or ends here with what the others wrote.
      if (b->units > 0 && group_.others_waiting() && conn.in_transaction()) {
        give_turn();
        (void)group_.wait(b);
        return;
      }
      group_.finish_batch();
    } else if (!group_.open) {  // (a session that never began leaves an open batch alone)
      conn.rollback();
    }
    give_turn();
  }

 private:
  void give_turn() {
    has_turn_ = false;
    group_.give_turn();
  }

  WriterGroup& group_;
  bool may_group_;
  bool has_turn_ = true;  // made by acquire_writer once the turn is taken
  bool at_once_ = false;
  std::shared_ptr<Batch> batch_;  // set while the unit runs inside a batch
};

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(SqliteOptions options) : options_(std::move(options)) {}
  ~SqliteDatabase() override { close(); }

  Status open() {
    auto writer = connect(kWriterCacheKib);
    if (!writer.ok()) return std::move(writer).take_error();
    writer_ = std::make_unique<WriterGroup>(std::move(*writer),
                                            std::chrono::milliseconds(options_.busy_timeout_ms));
    for (int i = 0; i < options_.pool_size; ++i) {
      auto conn = connect(kReaderCacheKib);
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

  Result<ConnectionLease> acquire_writer(bool may_group) override {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return Error::unavailable("database is closed");
    }
    OP_TRY(writer_->take_turn());
    return ConnectionLease(this, std::make_unique<WriterSession>(*writer_, may_group));
  }

  GroupCommitStats group_commit_stats() const override {
    return writer_ ? writer_->stats() : GroupCommitStats{};
  }

  void close() override {
    std::vector<std::unique_ptr<Connection>> to_close;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      closed_ = true;
      to_close.swap(idle_);
    }
    writer_.reset();  // before the last connection, whose close checkpoints the WAL
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
    if (dynamic_cast<WriterSession*>(conn.get())) return;  // a unit's session ends with it
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;  // conn is destroyed here, after close()
      idle_.push_back(std::move(conn));
    }
    available_.notify_one();
  }

 private:
  // Page cache per connection; it grows only as pages are used. SQLite caches per connection,
  // so with one writer and several readers each held its own copy of hot pages: at 256 MiB each
  // (sized once for bulk generation) a 100,000-code import and a redemption load took the
  // process to 230 MB. Measured with bench/generation.sh and a distinct-code redemption load
  // (issue 19): a 64 MiB writer generates 1,000,000 codes as fast as a 256 MiB one did (12-14 s,
  // runs vary), redeems faster (1,390/s against 1,100-1,230/s: less page-cache churn), and the
  // same run peaks at 116 MB; readers' misses are served from the operating system's cache.
  static constexpr int kWriterCacheKib = 65536;
  static constexpr int kReaderCacheKib = 16384;

  Result<std::unique_ptr<SqliteConnection>> connect(int cache_kib) {
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
    OP_TRY(conn->exec_script(options_.synchronous_full ? "PRAGMA synchronous=FULL;"
                                                       : "PRAGMA synchronous=NORMAL;"));
    OP_TRY(conn->exec_script(
        "PRAGMA foreign_keys=ON;"
        "PRAGMA case_sensitive_like=ON; PRAGMA temp_store=MEMORY;"
        // Checkpoint every 64 MiB of WAL rather than every 4 MiB: fewer fsyncs of the main file
        // under bulk writes. (A background checkpointer was tried: under a continuous writer the
        // WAL never restarts and grows without bound.)
        "PRAGMA wal_autocheckpoint=16384;"));
    OP_TRY(conn->exec_script("PRAGMA cache_size=-" + std::to_string(cache_kib) + ";"));
    return conn;
  }

  SqliteOptions options_;
  std::unique_ptr<WriterGroup> writer_;
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
