// The SQL seam between the store and a database driver.
//
// Store code is written once against SqlConnection with `?` placeholders and portable SQL
// (ON CONFLICT, RETURNING, row values). A driver (sqlite/, later postgres/) owns everything
// dialect-specific: placeholder syntax, statement caching, transaction modes, error mapping.
//
// Thread-safety: an SqlDatabase may be shared by threads; a connection is used by one thread at a
// time, obtained through a ConnectionLease that hands it back to the pool when destroyed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"

namespace openpromo::sql {

using Value = std::variant<std::monostate, int64_t, double, std::string>;
inline Value null() {
  return std::monostate{};
}

struct Row {
  std::vector<Value> columns;

  bool is_null(size_t i) const { return std::holds_alternative<std::monostate>(columns.at(i)); }
  int64_t integer(size_t i) const;          // REQUIRES: the column holds an integer
  const std::string& text(size_t i) const;  // REQUIRES: the column holds text
};

struct ResultSet {
  std::vector<Row> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

// How many prepared statements a driver keeps per connection before preparing for one use.
inline constexpr size_t kMaxCachedStatements = 256;

// Error keys a driver reports, for the store to turn into domain errors.
inline constexpr std::string_view kUniqueViolation = "unique_violation";
inline constexpr std::string_view kForeignKeyViolation = "foreign_key_violation";

class Connection {
 public:
  virtual ~Connection() = default;

  // Runs one statement with bound parameters (`?` placeholders).
  virtual Result<ResultSet> query(std::string_view sql, std::span<const Value> params) = 0;
  Result<ResultSet> query(std::string_view sql, std::initializer_list<Value> params = {}) {
    return query(sql, std::span<const Value>(params.begin(), params.size()));
  }
  // Runs a parameterless multi-statement script (migrations).
  virtual Status exec_script(std::string_view sql) = 0;

  // A write transaction takes the write lock up front, so two writers never deadlock upgrading
  // a read lock; a read transaction sees one consistent snapshot.
  virtual Status begin_write() = 0;
  virtual Status begin_read() = 0;
  virtual Status commit() = 0;
  // Rolls back the open transaction, if any; a no-op otherwise.
  virtual void rollback() noexcept = 0;

  // Inside a write transaction: serializes schema migration across processes. SQLite's write
  // lock already does; PostgreSQL takes an advisory lock.
  virtual Status lock_for_migration() { return {}; }
  // Gives back the memory of pages the connection caches but does not use now (SQLite's page
  // cache); a no-op where the server keeps the cache (PostgreSQL).
  virtual void release_cache_memory() noexcept {}
  // Before commit() of a unit that may share its commit with others (group commit, see
  // Database::acquire_writer): this one must not wait for others, its commit is made at once
  // (it changed what other units read outside their transaction, e.g. a catalog version).
  virtual void commit_at_once() noexcept {}
};

// While one is alive on a thread, every connection that thread's units used releases its cache
// memory when its unit ends. For long walks over large tables (exports), whose pages would
// otherwise stay cached and grow the process by the size of the table.
class ReleaseCachesOnThisThread {
 public:
  ReleaseCachesOnThisThread();
  ~ReleaseCachesOnThisThread();
  ReleaseCachesOnThisThread(const ReleaseCachesOnThisThread&) = delete;
  ReleaseCachesOnThisThread& operator=(const ReleaseCachesOnThisThread&) = delete;
  static bool active();
};

class Database;

class ConnectionLease {
 public:
  ConnectionLease(Database* owner, std::unique_ptr<Connection> conn)
      : owner_(owner), conn_(std::move(conn)) {}
  ConnectionLease(ConnectionLease&&) noexcept = default;
  ConnectionLease& operator=(ConnectionLease&&) = delete;
  ConnectionLease(const ConnectionLease&) = delete;
  ~ConnectionLease();

  Connection* operator->() const { return conn_.get(); }
  Connection& operator*() const { return *conn_; }

 private:
  Database* owner_;
  std::unique_ptr<Connection> conn_;
};

// A live subscription to database notifications; destroying it stops the delivery.
class Subscription {
 public:
  virtual ~Subscription() = default;
};

// Called from a background thread: with a notification's payload, or with nullopt when
// notifications may have been missed (the listening connection was lost and is back).
using NotificationCallback = std::function<void(const std::optional<std::string>& payload)>;

// Group commit's counters (SQLite's writer, sqlite_database.cpp): write units committed, the
// COMMITs that carried the grouped ones, and units waiting for the writer now.
struct GroupCommitStats {
  int64_t units = 0;
  int64_t commits = 0;
  int waiting = 0;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual std::string_view dialect() const = 0;  // "sqlite", "postgresql"
  // Delivers every NOTIFY on `channel` to `callback` until the subscription is destroyed. On a
  // dedicated connection, reconnecting when it drops. nullptr when the backend has no
  // notifications (SQLite: one process owns the file, so there is nobody to hear from).
  virtual std::unique_ptr<Subscription> listen(const std::string& channel,
                                               NotificationCallback callback) {
    (void)channel;
    (void)callback;
    return nullptr;
  }
  // Blocks until a pooled connection is free.
  virtual Result<ConnectionLease> acquire() = 0;
  // A connection for one write transaction. `may_group`: the unit lets the backend commit it
  // together with other such units (group commit: its commit() returns once the shared commit
  // is made, and reports that commit's outcome). By default the same as acquire().
  virtual Result<ConnectionLease> acquire_writer(bool may_group) {
    (void)may_group;
    return acquire();
  }
  // Zero where the backend does not group commits itself (PostgreSQL groups its WAL flushes).
  virtual GroupCommitStats group_commit_stats() const { return {}; }
  // Flushes and closes every connection; REQUIRES: no lease is outstanding.
  virtual void close() = 0;

 protected:
  friend class ConnectionLease;
  virtual void release(std::unique_ptr<Connection> conn) = 0;
};

// Runs `body` inside a write transaction, committing when it returns ok and rolling back
// otherwise. `body` takes the Connection& and returns Result<T> or Status.
template <class Body>
auto with_write_transaction(Database& db, Body&& body)
    -> decltype(body(std::declval<Connection&>())) {
  auto lease = db.acquire();
  if (!lease.ok()) return std::move(lease).take_error();
  Connection& conn = **lease;
  if (auto began = conn.begin_write(); !began.ok()) return std::move(began).take_error();
  auto result = body(conn);
  if (!result.ok()) {
    conn.rollback();
    return result;
  }
  if (auto committed = conn.commit(); !committed.ok()) {
    conn.rollback();
    return std::move(committed).take_error();
  }
  return result;
}

template <class Body>
auto with_read_transaction(Database& db, Body&& body)
    -> decltype(body(std::declval<Connection&>())) {
  auto lease = db.acquire();
  if (!lease.ok()) return std::move(lease).take_error();
  Connection& conn = **lease;
  if (auto began = conn.begin_read(); !began.ok()) return std::move(began).take_error();
  auto result = body(conn);
  if (!result.ok()) {
    conn.rollback();
    return result;
  }
  if (auto committed = conn.commit(); !committed.ok()) {
    conn.rollback();
    return std::move(committed).take_error();
  }
  return result;
}

}  // namespace openpromo::sql
