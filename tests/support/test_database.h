// TestDatabase: a fresh, empty database for one test, on the backend under test.
//
// The backend comes from $OPENPROMO_TEST_BACKEND: `sqlite` (default) makes a file in a temporary
// directory; `postgresql` creates a uniquely named database on the server at
// $OPENPROMO_TEST_PG_URL (started by scripts/test.sh) and drops it afterwards. A missing server
// URL is a failure, never a skip. Every DB-backed test gets both backends by using this class;
// CTest registers each DB-backed suite once per backend.
#pragma once

#include <string>

namespace openpromo::testing {

class TempDir;

std::string test_backend();  // "sqlite" or "postgresql"

class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& url() const { return url_; }
  bool is_sqlite() const { return url_.starts_with("sqlite:"); }

  // First column of the first row of `sql` as text ("" when no row), on a fresh connection.
  std::string scalar(const std::string& sql) const;
  // Runs one writing statement on a fresh connection (tests that age or damage stored rows).
  void execute(const std::string& sql) const;

 private:
  std::string url_;
  std::string dir_;        // sqlite: the temporary directory
  std::string admin_url_;  // postgresql: the server's maintenance database
  std::string name_;       // postgresql: the database created for this test
};

}  // namespace openpromo::testing
