#include "support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace openpromo::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// fork + exec with stdout/stderr sent to files and stdin read from `in_path` (empty: /dev/null).
pid_t spawn(const std::vector<std::string>& args,
            const std::vector<std::pair<std::string, std::string>>& env, const std::string& out,
            const std::string& err, const std::string& cwd, const std::string& in_path = {}) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int in = ::open(in_path.empty() ? "/dev/null" : in_path.c_str(), O_RDONLY);
    if (o < 0 || e < 0 || in < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::unsetenv("OPENPROMO_BOOTSTRAP_APP_ID");
    ::unsetenv("OPENPROMO_BOOTSTRAP_APP_TOKEN");
    ::unsetenv("OPENPROMO_LISTEN");
    ::unsetenv("OPENPROMO_DB");
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "openpromo-test-XXXXXX").string();
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string openpromo_binary() {
  const char* bin = std::getenv("OPENPROMO_BIN");
  if (!bin || !*bin) throw std::runtime_error("OPENPROMO_BIN is not set (run through ctest)");
  return bin;
}

RunResult run_openpromo(const std::vector<std::string>& args,
                        const std::vector<std::pair<std::string, std::string>>& env) {
  return run_openpromo(args, std::string(), env);
}

RunResult run_openpromo(const std::vector<std::string>& args, const std::string& input,
                        const std::vector<std::pair<std::string, std::string>>& env) {
  TempDir dir;
  std::vector<std::string> argv{openpromo_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string out = dir.path() + "/out";
  const std::string err = dir.path() + "/err";
  std::string in_path;
  if (!input.empty()) {
    in_path = dir.path() + "/in";
    std::ofstream(in_path, std::ios::binary) << input;
  }
  const pid_t pid = spawn(argv, env, out, err, {}, in_path);
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

ServerProcess::ServerProcess() : ServerProcess(Options{}) {}

ServerProcess::ServerProcess(Options options) {
  if (options.db_url.empty()) {
    database_ = std::make_unique<TestDatabase>();
    db_url_ = database_->url();
  } else {
    db_url_ = options.db_url;
  }
  std::vector<std::string> argv{
      openpromo_binary(), "serve", "--listen",      "127.0.0.1:0",           "--db", db_url_,
      "--threads",        "2",     "--exports-dir", dir_.path() + "/exports"};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  auto env = options.env;
  if (options.bootstrap_key) {
    env.emplace_back("OPENPROMO_BOOTSTRAP_APP_ID", kAppId);
    env.emplace_back("OPENPROMO_BOOTSTRAP_APP_TOKEN", kAppToken);
  }
  pid_ = spawn(argv, env, dir_.path() + "/stdout", dir_.path() + "/stderr", dir_.path());

  // The server prints "... listening on http://HOST:PORT ..." once it accepts connections.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = stdout_text();
    const auto at = out.find("listening on http://");
    if (at != std::string::npos) {
      const auto colon = out.find(':', at + 20);
      port_ = static_cast<uint16_t>(std::stoi(out.substr(colon + 1)));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("openpromo exited during start-up: " + stderr_text());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("openpromo did not start listening: " + stderr_text());
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  database_.reset();  // after the server is gone, so its connections are closed
}

int ServerProcess::terminate(int timeout_seconds) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1000;  // still running: the destructor kills it
}

void ServerProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServerProcess::stdout_text() const {
  return read_file(dir_.path() + "/stdout");
}

std::string ServerProcess::stderr_text() const {
  return read_file(dir_.path() + "/stderr");
}

}  // namespace openpromo::testing
