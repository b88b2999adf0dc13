// Store: the database of one OpenPromo node, and the door to it.
//
// It opens the backend (SQLite file or PostgreSQL URL), applies migrations, and hands out units
// of work (store/unit_of_work.h). Reading and writing is done by per-aggregate repositories
// (store/*_repository.h) that take a unit and a Scope; the store itself holds no domain queries.
// Whatever differs between SQLite and PostgreSQL stays inside the drivers (sql.h).
//
// Thread-safety: all methods may be called concurrently, except set_statement_observer (set it
// before the store is shared).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.h"
#include "store/sql.h"
#include "store/unit_of_work.h"

namespace openpromo {

struct StoreOptions {
  int pool_size = 4;
};

class Store {
 public:
  // `url` is `sqlite:PATH` (PATH may be relative; `sqlite://PATH` is accepted too) or a
  // `postgresql://` URL.
  static Result<std::unique_ptr<Store>> open(std::string_view url, const StoreOptions& options);

  explicit Store(std::unique_ptr<sql::Database> db) : db_(std::move(db)) {}
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  std::string_view backend() const { return db_->dialect(); }

  // Applies pending schema migrations, then (re)creates the catalog-version triggers from the
  // one list of catalog tables (store/catalog_tables.h); safe to call on every start.
  Status migrate();
  int latest_schema_version() const;
  Result<int> schema_version();
  // Cheap liveness probe of the database (used by GET /health).
  Status ping();
  // Checkpoints and closes every connection. REQUIRES: no unit of work is still open.
  void close();

  // Units of work (see unit_of_work.h). Blocks until a pooled connection is free.
  Result<UnitOfWork> write() { return begin(UnitOfWork::Mode::kWrite); }
  // A write unit that may share its commit with concurrent ones (group commit on SQLite: one
  // WAL write, and with synchronous=full one fsync, for the batch). Its commit() still returns
  // only once its writes are committed, with the batch's outcome. For the hot write paths
  // (redemptions), whose units read everything they decide on inside the unit.
  Result<UnitOfWork> grouped_write() { return begin(UnitOfWork::Mode::kWrite, true); }
  Result<UnitOfWork> snapshot() { return begin(UnitOfWork::Mode::kSnapshot); }
  Result<UnitOfWork> statements() { return begin(UnitOfWork::Mode::kStatements); }
  Result<UnitOfWork> begin(UnitOfWork::Mode mode, bool may_group = false);

  // Runs `body(UnitOfWork&)` in one write unit and commits when it succeeds. `body` returns
  // Result<T> or Status.
  template <class Body>
  auto in_write(Body&& body) -> decltype(body(std::declval<UnitOfWork&>()));
  // The same in a snapshot (reads that must agree with each other).
  template <class Body>
  auto in_snapshot(Body&& body) -> decltype(body(std::declval<UnitOfWork&>()));

  // Calls `changed(project_id)` soon after a catalog version moves, from any node, and
  // `changed(nullopt)` when changes may have been missed (after the listening connection
  // reconnects). PostgreSQL: LISTEN on the channel the version triggers NOTIFY. nullptr on SQLite,
  // which has no notifications.
  std::unique_ptr<sql::Subscription> watch_catalog(sql::NotificationCallback changed);

  // Told, after a unit commits, of each project whose catalog the unit changed (this node's own
  // writes, before any notification could arrive). Returns a handle for removal.
  using CatalogListener = std::function<void(const std::string& project_id)>;
  int add_catalog_listener(CatalogListener listener);
  void remove_catalog_listener(int handle);

  // Tests and benchmarks: how the backend grouped write units into commits.
  sql::GroupCommitStats group_commit_stats() const { return db_->group_commit_stats(); }

  // Tests and benchmarks: sees every statement a unit runs (the SQL text), on the calling thread.
  using StatementObserver = std::function<void(std::string_view sql)>;
  void set_statement_observer(StatementObserver observer) { observer_ = std::move(observer); }

 private:
  friend class UnitOfWork;
  void committed(const std::vector<std::string>& changed_catalogs);
  void observe(std::string_view sql) const {
    if (observer_) observer_(sql);
  }

  std::unique_ptr<sql::Database> db_;
  StatementObserver observer_;
  std::mutex listeners_mutex_;
  std::unordered_map<int, CatalogListener> listeners_;
  int next_listener_ = 0;
};

template <class Body>
auto Store::in_write(Body&& body) -> decltype(body(std::declval<UnitOfWork&>())) {
  auto tx = write();
  if (!tx.ok()) return std::move(tx).take_error();
  auto result = body(*tx);
  if (!result.ok()) return result;
  if (auto committed = tx->commit(); !committed.ok()) return std::move(committed).take_error();
  return result;
}

template <class Body>
auto Store::in_snapshot(Body&& body) -> decltype(body(std::declval<UnitOfWork&>())) {
  auto tx = snapshot();
  if (!tx.ok()) return std::move(tx).take_error();
  auto result = body(*tx);
  if (!result.ok()) return result;
  if (auto committed = tx->commit(); !committed.ok()) return std::move(committed).take_error();
  return result;
}

}  // namespace openpromo
