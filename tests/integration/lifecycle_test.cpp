// The binary's life: version, keys at first start, the keys and migrate verbs, and graceful
// shutdown with requests in flight.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "support/http_client.h"
#include "support/server_process.h"

namespace openpromo::testing {
namespace {

namespace json = boost::json;

const HeaderList kAuth{{"X-App-Id", ServerProcess::kAppId},
                       {"X-App-Token", ServerProcess::kAppToken}};

TEST(Cli, Version) {
  auto r = run_openpromo({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(^openpromo \d+\.\d+\.\d+)"))) << r.out;
}

TEST(Cli, UnknownCommandAndBadOptionsFail) {
  EXPECT_EQ(run_openpromo({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(run_openpromo({"serve", "--listen", "nonsense"}).exit_code, 2);
  EXPECT_EQ(run_openpromo({"keys", "create", "--role", "emperor"}).exit_code, 2);
  TempDir dir;
  auto bad_db = run_openpromo({"migrate", "--db", "mysql://x"});
  EXPECT_EQ(bad_db.exit_code, 1);
  EXPECT_NE(bad_db.err.find("sqlite:PATH"), std::string::npos);
}

TEST(Cli, MigrateIsIdempotent) {
  TestDatabase database;
  const std::string db = database.url();
  auto first = run_openpromo({"migrate", "--db", db});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = run_openpromo({"migrate", "--db", db});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  std::smatch version;
  ASSERT_TRUE(std::regex_search(second.out, version, std::regex(R"(schema version (\d+))")))
      << second.out;
  // Each migration applied exactly once, the last one included.
  EXPECT_EQ(database.scalar("SELECT COUNT(*) FROM schema_migrations"), version[1].str());
  EXPECT_EQ(database.scalar("SELECT MAX(version) FROM schema_migrations"), version[1].str());
}

// The verbs that act in one project (keys, users, demo seed) take `--project ID`, else the
// default project; an unknown id is a usage error that creates nothing.
TEST(Cli, ProjectScopedVerbsActInTheNamedProject) {
  TestDatabase database;
  const std::string db = database.url();
  auto project = run_openpromo({"projects", "create", "--db", db, "--name", "Second shop"});
  ASSERT_EQ(project.exit_code, 0) << project.err;
  const std::string id(json::parse(project.out).at("id").as_string());
  auto key = run_openpromo({"keys", "create", "--db", db, "--project", id, "--role", "admin"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  EXPECT_EQ(json::parse(key.out).at("project_id").as_string(), id);
  auto user = run_openpromo({"users", "create", "--db", db, "--project", id, "--email",
                             "shop2@example.com", "--role", "admin"},
                            "a long password\n");
  ASSERT_EQ(user.exit_code, 0) << user.err;
  EXPECT_EQ(json::parse(user.out).at("project_id").as_string(), id);
  auto other = run_openpromo(
      {"users", "create", "--db", db, "--email", "main@example.com", "--role", "viewer"},
      "another password\n");
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(json::parse(other.out).at("project_id").as_string(), id);
  const std::string users_before = database.scalar("SELECT COUNT(*) FROM dashboard_users");
  for (const auto& verb :
       {std::vector<std::string>{"keys", "create", "--role", "admin"},
        std::vector<std::string>{"users", "create", "--email", "x@example.com", "--role", "admin"},
        std::vector<std::string>{"demo", "seed"}}) {
    std::vector<std::string> args = verb;
    for (const char* extra : {"--db", db.c_str(), "--project", "proj_nope"})
      args.emplace_back(extra);
    EXPECT_EQ(run_openpromo(args, "a long password\n").exit_code, 2) << verb[0];
  }
  EXPECT_EQ(database.scalar("SELECT COUNT(*) FROM dashboard_users"), users_before);
}

TEST(Cli, KeysCreateMakesWorkingKeys) {
  ServerProcess server;
  auto made = run_openpromo({"keys", "create", "--db", server.db_url(), "--role", "admin"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto key = json::parse(made.out).as_object();
  EXPECT_EQ(key["type"].as_string(), "server");
  EXPECT_EQ(key["role"].as_string(), "admin");
  HttpClient c(server.port());
  const HeaderList auth{{"X-App-Id", std::string(key["app_id"].as_string())},
                        {"X-App-Token", std::string(key["app_token"].as_string())}};
  EXPECT_EQ(c.request("POST", "/v1/categories", R"({"name":"k","hierarchy":1})", auth).status, 200);

  auto user =
      json::parse(run_openpromo({"keys", "create", "--db", server.db_url(), "--role", "user"}).out);
  const HeaderList user_auth{{"X-App-Id", std::string(user.at("app_id").as_string())},
                             {"X-App-Token", std::string(user.at("app_token").as_string())}};
  EXPECT_EQ(c.request("POST", "/v1/categories", R"({"name":"u","hierarchy":1})", user_auth).status,
            403);

  EXPECT_EQ(run_openpromo({"keys", "create", "--db", server.db_url(), "--role", "user", "--client"})
                .exit_code,
            2);
  auto client = run_openpromo({"keys", "create", "--db", server.db_url(), "--role", "user",
                               "--client", "--origin", "https://shop.example"});
  ASSERT_EQ(client.exit_code, 0) << client.err;
  auto ck = json::parse(client.out).as_object();
  EXPECT_EQ(ck["type"].as_string(), "client");
  EXPECT_EQ(ck["allowed_origins"].as_array().at(0).as_string(), "https://shop.example");
  // A client key is not a server key.
  const HeaderList client_as_server{{"X-App-Id", std::string(ck["app_id"].as_string())},
                                    {"X-App-Token", std::string(ck["app_token"].as_string())}};
  EXPECT_EQ(c.request("GET", "/v1/categories", "", client_as_server).status, 401);
}

TEST(Startup, FirstStartWithoutBootstrapPrintsAKeyOnce) {
  TestDatabase database;
  ServerProcess::Options o;
  o.bootstrap_key = false;
  o.db_url = database.url();
  std::string app_id, token;
  {
    ServerProcess first(o);
    const std::string out = first.stdout_text();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(X-App-Id: (\S+)\s+X-App-Token: (\S+))")))
        << out;
    app_id = m[1];
    token = m[2];
    HttpClient c(first.port());
    EXPECT_EQ(c.request("GET", "/v1/categories", "", {{"X-App-Id", app_id}, {"X-App-Token", token}})
                  .status,
              200);
    EXPECT_EQ(first.terminate(), 0);
  }
  ServerProcess second(o);
  EXPECT_EQ(second.stdout_text().find("X-App-Token"), std::string::npos);
  EXPECT_EQ(second.stdout_text().find(token), std::string::npos);
  HttpClient c(second.port());
  EXPECT_EQ(
      c.request("GET", "/v1/categories", "", {{"X-App-Id", app_id}, {"X-App-Token", token}}).status,
      200);
  // Only the digest is stored.
  EXPECT_EQ(database.scalar("SELECT COUNT(*) FROM api_keys WHERE token_hash = '" + token + "'"),
            "0");
  EXPECT_EQ(database.scalar("SELECT COUNT(*) FROM api_keys"), "1");
}

TEST(Startup, NodesStartingAtOnceOnAnEmptyDatabaseMigrateItOnce) {
  TestDatabase database;
  std::vector<RunResult> migrations(3);
  std::vector<std::unique_ptr<ServerProcess>> servers(2);
  std::vector<std::string> failures(2);
  {
    std::vector<std::thread> starting;
    for (size_t i = 0; i < migrations.size(); ++i) {
      starting.emplace_back([&, i] {
        migrations[i] = run_openpromo({"migrate", "--db", database.url()});
      });
    }
    for (size_t i = 0; i < servers.size(); ++i) {
      starting.emplace_back([&, i] {
        ServerProcess::Options o;
        o.db_url = database.url();
        try {
          servers[i] = std::make_unique<ServerProcess>(o);
        } catch (const std::exception& e) {
          failures[i] = e.what();
        }
      });
    }
    for (auto& t : starting) t.join();
  }
  for (const auto& m : migrations) EXPECT_EQ(m.exit_code, 0) << m.err;
  for (const auto& f : failures) EXPECT_EQ(f, "");
  EXPECT_EQ(database.scalar("SELECT COUNT(*) FROM schema_migrations"),
            database.scalar("SELECT MAX(version) FROM schema_migrations"));
  EXPECT_EQ(database.scalar("SELECT COUNT(*) FROM projects"), "1");
  EXPECT_EQ(database.scalar("SELECT COUNT(*) FROM api_keys"), "1");
  ASSERT_TRUE(servers[0] && servers[1]);
  // Both nodes serve the same data.
  HttpClient a(servers[0]->port());
  HttpClient b(servers[1]->port());
  auto created = a.request("POST", "/v1/categories", R"({"name":"shared","hierarchy":1})", kAuth);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(created.json().at("id").as_string());
  EXPECT_EQ(b.request("GET", "/v1/categories/" + id, "", kAuth).status, 200);
}

TEST(Startup, BootstrapKeyFromEnvironment) {
  ServerProcess server;  // sets OPENPROMO_BOOTSTRAP_APP_ID/TOKEN
  EXPECT_EQ(server.stdout_text().find("X-App-Token"), std::string::npos);
  HttpClient c(server.port());
  EXPECT_EQ(c.request("GET", "/v1/categories", "", kAuth).status, 200);
}

TEST(Shutdown, IdleServersExitPromptlyEveryTime) {
  // Regression: a race between draining and re-arming the signal wait once left the event loop
  // waiting forever. Repeat, so an unlucky interleaving shows up.
  TestDatabase database;
  ServerProcess::Options o;
  o.db_url = database.url();
  for (int i = 0; i < 8; ++i) {
    ServerProcess server(o);
    EXPECT_EQ(server.terminate(10), 0) << "round " << i;
  }
}

TEST(Shutdown, InFlightRequestFinishesAndDatabaseStaysIntact) {
  ServerProcess server;
  HttpClient idle(server.port());
  ASSERT_EQ(idle.request("GET", "/health").status, 200);  // now an idle keep-alive connection

  // A request whose body is still arriving when SIGTERM lands.
  HttpClient slow(server.port());
  const std::string body = R"({"name":"in-flight","hierarchy":3})";
  slow.send_raw(
      "POST /v1/categories HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "X-App-Id: test-app-id\r\nX-App-Token: test-app-token\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(::kill(server.pid(), SIGTERM), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  EXPECT_TRUE(idle.closed_by_peer()) << "idle connections are closed at once";
  HttpClient late(server.port());
  EXPECT_THROW(late.connect(), std::runtime_error) << "no new connections while draining";

  slow.send_raw(body.substr(10));
  auto r = slow.read_response();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("connection"), "close");
  const std::string id(r.json().at("id").as_string());

  EXPECT_EQ(server.terminate(), 0);  // already terminating: waits for the exit
  EXPECT_NE(server.stdout_text().find("stopped cleanly"), std::string::npos);
  const TestDatabase& db = server.database();
  if (db.is_sqlite()) {
    EXPECT_EQ(db.scalar("PRAGMA integrity_check"), "ok");
  }
  EXPECT_EQ(db.scalar("SELECT name FROM categories WHERE id = '" + id + "'"), "in-flight");
}

TEST(Shutdown, ConcurrentWritersLoseNothing) {
  ServerProcess server;
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::atomic<int> truncated{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      HttpClient c(server.port());
      for (int i = 0; !stop; ++i) {
        try {
          auto r = c.request(
              "POST", "/v1/categories",
              R"({"name":"w)" + std::to_string(w) + "-" + std::to_string(i) + R"(","hierarchy":1})",
              kAuth);
          if (r.status != 200) {
            truncated++;
            continue;
          }
          std::lock_guard lock(mutex);
          acknowledged.insert(std::string(r.json().at("id").as_string()));
        } catch (const std::exception&) {
          // Refused or closed after draining began: no response, so no promise was made.
          try {
            c.connect();
          } catch (const std::exception&) {
            return;
          }
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ASSERT_EQ(::kill(server.pid(), SIGTERM), 0);
  const int exit_code = server.terminate();
  stop = true;
  for (auto& t : writers) t.join();

  EXPECT_EQ(exit_code, 0);
  EXPECT_EQ(truncated.load(), 0);
  EXPECT_GT(acknowledged.size(), 10u);
  const TestDatabase& db = server.database();
  if (db.is_sqlite()) {
    EXPECT_EQ(db.scalar("PRAGMA integrity_check"), "ok");
  }
  EXPECT_GE(std::stoul(db.scalar("SELECT COUNT(*) FROM categories")), acknowledged.size());
  for (const auto& id : acknowledged) {
    ASSERT_EQ(db.scalar("SELECT COUNT(*) FROM categories WHERE id = '" + id + "'"), "1") << id;
  }
}

}  // namespace
}  // namespace openpromo::testing
