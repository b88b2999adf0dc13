#include "store/store.h"

#include <algorithm>
#include <thread>

#include "core/crypto.h"
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
  if (path.empty()) {
    return Error{
        400, "invalid_database_url", "Invalid database URL", "sqlite: needs a file path", {}, {}};
  }
  sql::SqliteOptions sqlite;
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

Status Store::migrate() {
  const bool postgresql = db_->dialect() == "postgresql";
  return sql::with_write_transaction(*db_, [postgresql](sql::Connection& conn) -> Status {
    OP_TRY(conn.lock_for_migration());
    OP_TRY(conn.exec_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    OP_ASSIGN(auto current, conn.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    const int64_t applied = current.rows.at(0).integer(0);
    for (const Migration& m : migrations()) {
      if (m.version <= applied) continue;
      OP_TRY(conn.exec_script(postgresql && !m.postgresql_sql.empty() ? m.postgresql_sql : m.sql));
      OP_TRY(
          conn.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                     {int64_t{m.version}, std::string(m.name), now_utc().millis}));
    }
    return {};
  });
}

Result<int> Store::schema_version() {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  return static_cast<int>(rs.rows.at(0).integer(0));
}

Status Store::ping() {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_TRY(lease->query("SELECT 1"));
  return {};
}

// ---- projects ----------------------------------------------------------------------------------

namespace {

constexpr std::string_view kProjectColumns =
    "id, name, time_zone, currency, case_sensitive_codes, created_at";

Project project_from_row(const sql::Row& row) {
  Project p;
  p.id = row.text(0);
  p.name = row.text(1);
  p.time_zone = row.text(2);
  p.currency = row.text(3);
  p.case_sensitive_codes = row.integer(4) != 0;
  p.created_at = Instant{row.integer(5)};
  return p;
}

}  // namespace

Result<Project> Store::ensure_default_project(Instant now) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Result<Project> {
    Project p;
    p.id = new_id("proj_");
    p.name = "Default project";
    p.created_at = now;
    // Nodes starting at once race here: the partial unique index keeps one default project and
    // DO NOTHING lets the losers read the winner's.
    OP_TRY(conn.query(
        "INSERT INTO projects (id, name, time_zone, currency, case_sensitive_codes, is_default,"
        " created_at) VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING",
        {p.id, p.name, p.time_zone, p.currency, int64_t{p.case_sensitive_codes ? 1 : 0},
         p.created_at.millis}));
    OP_ASSIGN(auto existing, conn.query("SELECT " + std::string(kProjectColumns) +
                                        " FROM projects WHERE is_default = 1"));
    if (existing.rows.empty()) return Error::internal("default project missing after insert");
    return project_from_row(existing.rows[0]);
  });
}

Result<std::optional<Project>> Store::find_project(std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs,
            lease->query("SELECT " + std::string(kProjectColumns) + " FROM projects WHERE id = ?",
                         {std::string(id)}));
  if (rs.rows.empty()) return std::optional<Project>{};
  return std::optional<Project>(project_from_row(rs.rows[0]));
}

// ---- api keys ----------------------------------------------------------------------------------

namespace {

std::string join_lines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += '\n';
    out += s;
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

Status Store::insert_api_key(const ApiKey& key) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "INSERT INTO api_keys (id, project_id, kind, role, app_id, token_hash, allowed_origins,"
      " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {key.id, key.project_id, std::string(to_string(key.kind)), std::string(to_string(key.role)),
       key.app_id, key.token_hash, join_lines(key.allowed_origins), key.created_at.millis});
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) {
      return Error::duplicate_found("api_key", "an API key with this application id exists");
    }
    return std::move(r).take_error();
  }
  return {};
}

Result<std::optional<ApiKey>> Store::find_api_key(std::string_view app_id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT id, project_id, kind, role, app_id, token_hash,"
                                  " allowed_origins, created_at FROM api_keys WHERE app_id = ?",
                                  {std::string(app_id)}));
  if (rs.rows.empty()) return std::optional<ApiKey>{};
  const sql::Row& row = rs.rows[0];
  ApiKey key;
  key.id = row.text(0);
  key.project_id = row.text(1);
  key.kind = key_kind_from_string(row.text(2)).value_or(KeyKind::kServer);
  key.role = role_from_string(row.text(3)).value_or(Role::kUser);
  key.app_id = row.text(4);
  key.token_hash = row.text(5);
  key.allowed_origins = split_lines(row.text(6));
  key.created_at = Instant{row.integer(7)};
  return std::optional<ApiKey>(std::move(key));
}

Result<int64_t> Store::count_api_keys(std::string_view project_id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT COUNT(*) FROM api_keys WHERE project_id = ?",
                                  {std::string(project_id)}));
  return rs.rows.at(0).integer(0);
}

}  // namespace openpromo
