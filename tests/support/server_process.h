// ServerProcess: the real openpromo binary, started for one test on a free loopback port with
// its own temporary directory and database, stopped (SIGKILL if need be) when destroyed.
//
// The binary comes from $OPENPROMO_BIN (set by CTest); the database is a fresh TestDatabase on
// the backend under test unless the test names one.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/test_database.h"

namespace openpromo::testing {

// A unique temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string openpromo_binary();

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs the binary to completion with these arguments and extra environment.
RunResult run_openpromo(const std::vector<std::string>& args,
                        const std::vector<std::pair<std::string, std::string>>& env = {});
// The same with `input` as its standard input (`users create` reads the password there).
RunResult run_openpromo(const std::vector<std::string>& args, const std::string& input,
                        const std::vector<std::pair<std::string, std::string>>& env = {});

class ServerProcess {
 public:
  static constexpr const char* kAppId = "test-app-id";
  static constexpr const char* kAppToken = "test-app-token";

  struct Options {
    std::vector<std::string> extra_args;
    std::vector<std::pair<std::string, std::string>> env;
    bool bootstrap_key = true;  // set OPENPROMO_BOOTSTRAP_APP_ID/TOKEN to kAppId/kAppToken
    std::string db_url;         // empty: a fresh TestDatabase owned by this server
  };

  ServerProcess();
  explicit ServerProcess(Options options);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  const std::string& db_url() const { return db_url_; }
  // The database this server owns (REQUIRES: Options::db_url was empty).
  const TestDatabase& database() const { return *database_; }
  const std::string& dir() const { return dir_.path(); }
  pid_t pid() const { return pid_; }

  // Sends SIGTERM and waits up to `timeout_seconds`; returns the exit code (or -signal).
  int terminate(int timeout_seconds = 30);
  // SIGKILL: a crash, with no chance to clean up.
  void kill_hard();
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  TempDir dir_;
  std::unique_ptr<TestDatabase> database_;
  std::string db_url_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace openpromo::testing
