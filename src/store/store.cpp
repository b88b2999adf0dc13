#include "store/store.h"

#include <algorithm>
#include <cctype>

#include "core/crypto.h"
#include "core/time.h"
#include "store/catalog_tables.h"
#include "store/migrations.h"
#include "store/postgres/postgres_database.h"
#include "store/sqlite/sqlite_database.h"

namespace openpromo {

Result<std::unique_ptr<Store>> Store::open(std::string_view url, const StoreOptions& options) {
  std::string_view path;
  if (url.starts_with("sqlite://")) {
    path = url.substr(9);
  } else if (url.starts_with("sqlite:")) {
    path = url.substr(7);
  } else if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    sql::PostgresOptions pg;
    pg.conninfo = std::string(url);
    pg.pool_size = std::max(1, options.pool_size);
    OP_ASSIGN(auto db, sql::open_postgres(pg));
    return std::make_unique<Store>(std::move(db));
  } else {
    return Error{
        400,
        "invalid_database_url",
        "Invalid database URL",
        "expected sqlite:PATH or postgresql://USER@HOST:PORT/DB, got '" + std::string(url) + "'",
        {},
        {}};
  }
  sql::SqliteOptions sqlite;
  // `?synchronous=full`: fsync the WAL at every commit, so committed units survive a power loss
  // too, not only a crash of the process (the default, NORMAL); see docs/BENCHMARKS.md.
  for (const auto& [suffix, full] :
       {std::pair{"?synchronous=full", true}, std::pair{"?synchronous=normal", false}}) {
    if (path.ends_with(suffix)) {
      path.remove_suffix(std::string_view(suffix).size());
      sqlite.synchronous_full = full;
    }
  }
  if (path.empty()) {
    return Error{
        400, "invalid_database_url", "Invalid database URL", "sqlite: needs a file path", {}, {}};
  }
  sqlite.path = std::string(path);
  sqlite.pool_size = std::max(1, options.pool_size);
  OP_ASSIGN(auto db, sql::open_sqlite(sqlite));
  return std::make_unique<Store>(std::move(db));
}

Store::~Store() {
  close();
}

void Store::close() {
  if (db_) db_->close();
}

int Store::latest_schema_version() const {
  return migrations().back().version;
}

Result<UnitOfWork> Store::begin(UnitOfWork::Mode mode, bool may_group) {
  OP_ASSIGN(auto lease,
            mode == UnitOfWork::Mode::kWrite ? db_->acquire_writer(may_group) : db_->acquire());
  UnitOfWork tx(*this, std::move(lease), mode);
  if (mode == UnitOfWork::Mode::kWrite) {
    OP_TRY((*tx.lease_)->begin_write());
    tx.open_ = true;
  } else if (mode == UnitOfWork::Mode::kSnapshot) {
    OP_TRY((*tx.lease_)->begin_read());
    tx.open_ = true;
  }
  return tx;
}

void Store::committed(const std::vector<std::string>& changed_catalogs) {
  std::vector<CatalogListener> listeners;
  {
    std::lock_guard lock(listeners_mutex_);
    for (const auto& [handle, l] : listeners_) listeners.push_back(l);
  }
  for (const auto& project : changed_catalogs) {
    for (const auto& l : listeners) l(project);
  }
}

int Store::add_catalog_listener(CatalogListener listener) {
  std::lock_guard lock(listeners_mutex_);
  const int handle = ++next_listener_;
  listeners_.emplace(handle, std::move(listener));
  return handle;
}

void Store::remove_catalog_listener(int handle) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.erase(handle);
}

std::unique_ptr<sql::Subscription> Store::watch_catalog(sql::NotificationCallback changed) {
  return db_->listen("openpromo_catalog", std::move(changed));  // see migration 8
}

std::string catalog_trigger_sql(std::string_view dialect, const CatalogTable& table) {
  const std::string t(table.name);
  const std::string of =
      table.update_columns.empty() ? "" : " OF " + std::string(table.update_columns);
  if (dialect == "postgresql") {
    // openpromo_bump_catalog() (migration 8) moves the version and NOTIFYs other nodes.
    return "CREATE OR REPLACE TRIGGER catalog_" + t + " AFTER INSERT OR DELETE OR UPDATE" + of +
           " ON " + t + " FOR EACH ROW EXECUTE FUNCTION openpromo_bump_catalog();\n";
  }
  std::string sql;
  for (const auto& [event, row] :
       {std::pair{"insert", "NEW"}, std::pair{"update", "NEW"}, std::pair{"delete", "OLD"}}) {
    const std::string name = "catalog_" + t + "_" + event;
    std::string when = event;
    for (char& c : when) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    sql += "DROP TRIGGER IF EXISTS " + name + ";\n";
    sql += "CREATE TRIGGER " + name + " AFTER " + when +
           (std::string_view(event) == "update" ? of : "") + " ON " + t +
           " BEGIN\n  INSERT INTO catalog_versions (project_id, version) VALUES (" + row +
           ".project_id, 1)\n  ON CONFLICT (project_id) DO UPDATE SET version ="
           " catalog_versions.version + 1;\nEND;\n";
  }
  return sql;
}

Status Store::migrate() {
  const std::string dialect(db_->dialect());
  return in_write([&](UnitOfWork& tx) -> Status {
    sql::Connection& conn = **tx.lease_;
    OP_TRY(conn.lock_for_migration());
    OP_TRY(conn.exec_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    OP_ASSIGN(auto current, conn.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    const int64_t applied = current.rows.at(0).integer(0);
    for (const Migration& m : migrations()) {
      if (m.version <= applied) continue;
      OP_TRY(conn.exec_script(
          dialect == "postgresql" && !m.postgresql_sql.empty() ? m.postgresql_sql : m.sql));
      OP_TRY(
          conn.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                     {int64_t{m.version}, std::string(m.name), now_utc().millis}));
    }
    // The catalog triggers, generated from the list; rewritten only when the list changed, so
    // nodes starting against a live database do not lock its tables for nothing.
    std::string triggers;
    for (const CatalogTable& t : kCatalogTables) triggers += catalog_trigger_sql(dialect, t);
    const std::string fingerprint = sha256_hex(triggers);
    OP_ASSIGN(auto stored,
              conn.query("SELECT value FROM store_settings WHERE name = 'catalog_triggers'"));
    if (stored.rows.empty() || stored.rows[0].text(0) != fingerprint) {
      OP_TRY(conn.exec_script(triggers));
      OP_TRY(
          conn.query("INSERT INTO store_settings (name, value) VALUES ('catalog_triggers', ?)"
                     " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                     {fingerprint}));
    }
    return {};
  });
}

Result<int> Store::schema_version() {
  OP_ASSIGN(auto tx, statements());
  OP_ASSIGN(auto rs, tx.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  return static_cast<int>(rs.rows.at(0).integer(0));
}

Status Store::ping() {
  OP_ASSIGN(auto tx, statements());
  OP_TRY(tx.query("SELECT 1"));
  return {};
}

}  // namespace openpromo
