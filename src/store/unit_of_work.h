// UnitOfWork: one use case's conversation with the database.
//
// A use case opens one unit (Store::write(), snapshot() or statements()) and hands it to the
// repositories it needs; repositories run their SQL through it and never commit. commit() makes
// every write of the unit (rows, guarded counter updates, activity and outbox rows) durable
// together; a unit destroyed without commit() rolls back, so an error anywhere leaves nothing
// half-written.
//
// Modes:
// - kWrite: a write transaction that takes the write lock up front (SQLite BEGIN IMMEDIATE,
//   PostgreSQL READ COMMITTED); guards stay in SQL (`UPDATE ... WHERE <limit holds>`).
// - kSnapshot: a read-only transaction, one consistent view across statements (lists: count and
//   page agree).
// - kStatements: no transaction; each statement sees what was committed when it starts. For hot
//   reads that need no cross-statement consistency (validation), it saves the BEGIN/COMMIT
//   round trips.
//
// After a successful commit the unit tells the store which projects' catalogs it changed
// (catalog_changed), and runs its after_commit hooks (waking the job runner, ...).
//
// Thread-safety: a unit belongs to one thread at a time.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/sql.h"

namespace openpromo {

class Store;

class UnitOfWork {
 public:
  enum class Mode { kStatements, kSnapshot, kWrite };

  UnitOfWork(UnitOfWork&& other) noexcept;
  UnitOfWork& operator=(UnitOfWork&&) = delete;
  UnitOfWork(const UnitOfWork&) = delete;
  UnitOfWork& operator=(const UnitOfWork&) = delete;
  ~UnitOfWork();

  Mode mode() const { return mode_; }
  bool writes() const { return mode_ == Mode::kWrite; }
  std::string_view dialect() const;

  // Runs one statement (`?` placeholders) in this unit.
  Result<sql::ResultSet> query(std::string_view sql, std::span<const sql::Value> params);
  Result<sql::ResultSet> query(std::string_view sql,
                               std::initializer_list<sql::Value> params = {}) {
    return query(sql, std::span<const sql::Value>(params.begin(), params.size()));
  }

  // Commits (kWrite), ends the snapshot (kSnapshot) or does nothing (kStatements), then runs the
  // after-commit work. A failed commit rolls back. REQUIRES: called at most once.
  Status commit();

  // The unit wrote a catalog table of `project_id` (repositories call this): after the commit,
  // this node's catalog snapshot of the project is marked changed.
  void catalog_changed(std::string_view project_id);
  // Runs after a successful commit, in order.
  void after_commit(std::function<void()> hook);

 private:
  friend class Store;
  UnitOfWork(Store& store, sql::ConnectionLease lease, Mode mode);
  void rollback() noexcept;

  Store* store_;
  std::optional<sql::ConnectionLease> lease_;
  Mode mode_;
  bool open_ = false;  // a transaction is open on the connection
  bool done_ = false;  // committed or rolled back
  std::vector<std::string> changed_catalogs_;
  std::vector<std::function<void()>> hooks_;
};

}  // namespace openpromo
