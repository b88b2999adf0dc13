#include "support/test_database.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace openpromo::testing {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Runs one statement on a PostgreSQL URL; returns the first value of the first row.
std::string pg_exec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("cannot connect to " + url + ": " + message);
  }
  PGresult* res = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(res);
  std::string out;
  if (status == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
    out = PQgetvalue(res, 0, 0);
  }
  const std::string error = PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(conn);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw std::runtime_error("'" + sql + "' failed: " + error);
  }
  return out;
}

std::string random_suffix() {
  std::random_device rd;
  std::uniform_int_distribution<uint64_t> dist;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(dist(rd)));
  return buf;
}

}  // namespace

std::string test_backend() {
  const std::string b = env("OPENPROMO_TEST_BACKEND");
  return b.empty() ? "sqlite" : b;
}

TestDatabase::TestDatabase() {
  const std::string backend = test_backend();
  if (backend == "sqlite") {
    std::string templ = (std::filesystem::temp_directory_path() / "openpromo-db-XXXXXX").string();
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = templ;
    url_ = "sqlite:" + dir_ + "/test.db";
    return;
  }
  if (backend != "postgresql")
    throw std::runtime_error("unknown OPENPROMO_TEST_BACKEND " + backend);
  admin_url_ = env("OPENPROMO_TEST_PG_URL");
  if (admin_url_.empty()) {
    throw std::runtime_error(
        "OPENPROMO_TEST_BACKEND=postgresql needs OPENPROMO_TEST_PG_URL (scripts/test.sh sets it)");
  }
  name_ = "t_" + random_suffix();
  pg_exec(admin_url_, "CREATE DATABASE " + name_);
  const auto slash = admin_url_.rfind('/');
  url_ = admin_url_.substr(0, slash + 1) + name_;
}

TestDatabase::~TestDatabase() {
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  if (!name_.empty()) {
    try {
      pg_exec(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The server is thrown away at the end of the run; a leftover database does no harm.
    }
  }
}

void TestDatabase::execute(const std::string& sql) const {
  if (!is_sqlite()) {
    pg_exec(url_, sql);
    return;
  }
  const std::string path = url_.substr(std::string("sqlite:").size());
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path);
  }
  sqlite3_busy_timeout(db, 10000);
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    sqlite3_close(db);
    throw std::runtime_error("'" + sql + "' failed: " + message);
  }
  sqlite3_close(db);
}

std::string TestDatabase::scalar(const std::string& sql) const {
  if (!is_sqlite()) return pg_exec(url_, sql);
  const std::string path = url_.substr(std::string("sqlite:").size());
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path);
  }
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    std::string message = sqlite3_errmsg(db);
    sqlite3_close(db);
    throw std::runtime_error("'" + sql + "' failed: " + message);
  }
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

}  // namespace openpromo::testing
