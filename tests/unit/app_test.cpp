// The App in-process: routing, auth, codecs, errors and lists on real requests against a real
// SQLite store, without sockets.
#include "api/app.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "support/migrated_store.h"
#include "support/server_process.h"
#include "support/test_database.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

class AppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::open_migrated(db_, store_, project_));
    KeyService keys(*store_);
    admin_ = keys.create(project_, KeyKind::kServer, Role::kAdmin, {}).value();
    user_ = keys.create(project_, KeyKind::kServer, Role::kUser, {}).value();
    client_ =
        keys.create(project_, KeyKind::kClient, Role::kAdmin, {"https://shop.example"}).value();
    log_path_ = dir_.path() + "/access.log";
    log_ = std::fopen(log_path_.c_str(), "w");
    app_ = std::make_unique<App>(*store_,
                                 AppOptions{.access_log = true, .log_stream = log_, .catalog = {}});
  }
  void TearDown() override {
    app_.reset();
    if (log_) std::fclose(log_);
  }

  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& body = "", const NewKey* key = nullptr, Headers extra = {}) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    if (!body.empty()) r.headers.emplace_back("content-type", "application/json");
    if (key) {
      r.headers.emplace_back("x-app-id", key->key.app_id);
      r.headers.emplace_back("x-app-token", key->token);
    }
    for (auto& h : extra) {
      std::erase_if(r.headers, [&](const auto& existing) { return existing.first == h.first; });
      r.headers.push_back(h);
    }
    return app_->handle(r);
  }
  HttpResponse admin(const std::string& method, const std::string& target,
                     const std::string& body = "") {
    return call(method, target, body, &admin_);
  }

  static std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  // Asserts the error envelope and returns the parsed body.
  static json::object expect_error(const HttpResponse& r, int status, const std::string& key) {
    EXPECT_EQ(r.status, status) << r.body;
    json::object body = json::parse(r.body).as_object();
    EXPECT_EQ(body["code"].as_int64(), status);
    EXPECT_EQ(body["key"].as_string(), key) << r.body;
    EXPECT_TRUE(body["message"].is_string());
    EXPECT_FALSE(body["message"].as_string().empty());
    EXPECT_TRUE(body["details"].is_string());
    EXPECT_TRUE(body["request_id"].is_string());
    EXPECT_EQ(body["request_id"].as_string(), header(r, "X-Request-Id"));
    EXPECT_EQ(r.content_type, "application/json");
    return body;
  }

  std::string create(const std::string& name, int hierarchy) {
    auto r = admin("POST", "/v1/categories",
                   R"({"name":")" + name + R"(","hierarchy":)" + std::to_string(hierarchy) + "}");
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(json::parse(r.body).at("id").as_string());
  }

  std::string read_log() {
    app_->flush_log();  // access lines are written in the background
    std::fflush(log_);
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  testing::TempDir dir_;
  testing::TestDatabase db_;
  std::unique_ptr<Store> store_;
  Project project_;
  NewKey admin_, user_, client_;
  std::string log_path_;
  std::FILE* log_ = nullptr;
  std::unique_ptr<App> app_;
};

// docs/COMPATIBILITY.md lists every operation the server answers, as `METHOD /path`, so the
// compatibility notes cannot fall behind the routes.
TEST_F(AppTest, EveryRouteIsInTheCompatibilityNotes) {
  std::ifstream in(std::string(OPENPROMO_DOCS_DIR) + "/COMPATIBILITY.md");
  ASSERT_TRUE(in.good()) << "docs/COMPATIBILITY.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  std::string missing;
  for (const auto& route : app_->router().routes()) {
    const std::string entry = "`" + route.method + " " + route.pattern + "`";
    if (doc.find(entry) == std::string::npos) missing += "\n" + entry;
  }
  EXPECT_TRUE(missing.empty()) << "not in docs/COMPATIBILITY.md:" << missing;
}

TEST_F(AppTest, MissingOrWrongCredentialsAre401) {
  expect_error(call("GET", "/v1/categories"), 401, "unauthorized");
  NewKey wrong = admin_;
  wrong.token = "not-the-token";
  expect_error(call("GET", "/v1/categories", "", &wrong), 401, "unauthorized");
  NewKey swapped = admin_;
  swapped.token = user_.token;  // a real token, of another key
  expect_error(call("GET", "/v1/categories", "", &swapped), 401, "unauthorized");
  NewKey unknown = admin_;
  unknown.key.app_id = "no-such-app";
  expect_error(call("GET", "/v1/categories", "", &unknown), 401, "unauthorized");
  // A client key cannot call the server API.
  expect_error(call("GET", "/v1/categories", "", &client_), 401, "unauthorized");
}

// A verified key is kept for a second (KeyService::kKeyCacheLifetime): requests in a row read it
// from the database once.
TEST_F(AppTest, AKeyIsReadOncePerCacheLifetimeNotOncePerRequest) {
  int key_reads = 0;
  std::mutex m;
  store_->set_statement_observer([&](std::string_view sql) {
    std::lock_guard lock(m);
    if (sql.find("FROM api_keys") != std::string_view::npos) ++key_reads;
  });
  for (int i = 0; i < 5; ++i) EXPECT_EQ(admin("GET", "/v1/categories").status, 200);
  store_->set_statement_observer(nullptr);
  EXPECT_LE(key_reads, 1);
  // A wrong token for a kept key is still refused: the token is compared every time.
  NewKey wrong = admin_;
  wrong.token += "x";
  expect_error(call("GET", "/v1/categories", "", &wrong), 401, "unauthorized");
}

// A key that leaves the database (revoked by hand today: no route removes keys) stops working
// on every node within the cache lifetime.
TEST_F(AppTest, AKeyGoneFromTheDatabaseStopsWorkingWithinTheCacheLifetime) {
  ASSERT_EQ(call("GET", "/v1/categories", "", &user_).status, 200);
  ASSERT_TRUE(store_
                  ->in_write([&](UnitOfWork& tx) -> Status {
                    OP_TRY(tx.query("DELETE FROM api_keys WHERE id = ?", {user_.key.id}));
                    return {};
                  })
                  .ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() < deadline) {
    status = call("GET", "/v1/categories", "", &user_).status;
    if (status == 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 401);
}

TEST_F(AppTest, CreateReturnsExactlyTheContractShape) {
  auto r = admin("POST", "/v1/categories", R"({"name":"Eighth","hierarchy":8})");
  ASSERT_EQ(r.status, 200) << r.body;
  json::object body = json::parse(r.body).as_object();
  std::vector<std::string> keys;
  for (const auto& kv : body) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "name", "hierarchy", "created_at", "object"}));
  EXPECT_TRUE(body["id"].as_string().starts_with("cat_"));
  EXPECT_EQ(body["name"].as_string(), "Eighth");
  EXPECT_EQ(body["hierarchy"].as_int64(), 8);
  EXPECT_EQ(body["object"].as_string(), "category");
  EXPECT_TRUE(parse_iso8601(std::string(body["created_at"].as_string())));
  EXPECT_EQ(body["created_at"].as_string().size(), 24u);  // 2022-08-16T11:45:54.171Z
}

TEST_F(AppTest, GetUpdateListDelete) {
  const std::string id = create("Summer", 1);
  auto got = admin("GET", "/v1/categories/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(json::parse(got.body).at("name").as_string(), "Summer");

  auto updated = admin("PUT", "/v1/categories/" + id, R"({"name":"Update","hierarchy":1})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  json::object u = json::parse(updated.body).as_object();
  EXPECT_EQ(u["name"].as_string(), "Update");
  ASSERT_TRUE(u.contains("updated_at"));
  EXPECT_EQ(u["object"].as_string(), "category");

  auto partial = admin("PUT", "/v1/categories/" + id, R"({"hierarchy":4})");
  EXPECT_EQ(json::parse(partial.body).at("name").as_string(), "Update");
  EXPECT_EQ(json::parse(partial.body).at("hierarchy").as_int64(), 4);

  create("Winter", 2);
  auto list = admin("GET", "/v1/categories");
  ASSERT_EQ(list.status, 200);
  json::object l = json::parse(list.body).as_object();
  EXPECT_EQ(l["object"].as_string(), "list");
  EXPECT_EQ(l["data_ref"].as_string(), "data");
  EXPECT_EQ(l["total"].as_int64(), 2);
  EXPECT_EQ(l["data"].as_array().size(), 2u);
  EXPECT_EQ(l["data"].as_array()[0].at("object").as_string(), "category");

  auto deleted = admin("DELETE", "/v1/categories/" + id);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  auto gone = expect_error(admin("GET", "/v1/categories/" + id), 404, "not_found");
  EXPECT_EQ(gone["resource_id"].as_string(), id);
  EXPECT_EQ(gone["resource_type"].as_string(), "category");
  expect_error(admin("DELETE", "/v1/categories/" + id), 404, "not_found");
  expect_error(admin("PUT", "/v1/categories/" + id, R"({"name":"x"})"), 404, "not_found");
}

TEST_F(AppTest, DuplicateNamesAre409) {
  create("Summer", 1);
  expect_error(admin("POST", "/v1/categories", R"({"name":"Summer","hierarchy":2})"), 409,
               "duplicate_found");
}

TEST_F(AppTest, InvalidBodiesAre400WithNothingWritten) {
  for (const char* bad :
       {R"({"name":)", "[1,2]", "\"text\"", R"({"name":"a","hierarchy":-1})",
        R"({"name":"","hierarchy":1})", R"({"hierarchy":1})", R"({"name":"a"})",
        R"({"name":5,"hierarchy":1})", R"({"name":"a","hierarchy":"1"})",
        R"({"name":"a","hierarchy":1.5})", "{\"name\":\"\xff\xfe\",\"hierarchy\":1}"}) {
    expect_error(admin("POST", "/v1/categories", bad), 400, "invalid_payload");
  }
  const std::string long_name(201, 'x');
  expect_error(admin("POST", "/v1/categories", R"({"name":")" + long_name + R"(","hierarchy":1})"),
               400, "invalid_payload");
  auto list = admin("GET", "/v1/categories");
  EXPECT_EQ(json::parse(list.body).at("total").as_int64(), 0);
}

TEST_F(AppTest, HostileJsonDoesNotCrash) {
  std::string deep(100000, '[');
  expect_error(admin("POST", "/v1/categories", deep), 400, "invalid_payload");
  std::string nested = "{\"name\":\"x\",\"hierarchy\":1,\"metadata\":";
  for (int i = 0; i < 70; ++i) nested += "{\"a\":";
  nested += "1";
  for (int i = 0; i < 70; ++i) nested += "}";
  nested += "}";
  expect_error(admin("POST", "/v1/categories", nested), 400, "invalid_payload");
  expect_error(admin("POST", "/v1/categories", R"({"name":"a","hierarchy":1e400})"), 400,
               "invalid_payload");
  expect_error(
      admin("POST", "/v1/categories", std::string("{\"name\":\"a\0b\",\"hierarchy\":1}", 28)), 400,
      "invalid_payload");
}

TEST_F(AppTest, ContentTypeMustBeJson) {
  expect_error(call("POST", "/v1/categories", R"({"name":"a","hierarchy":1})", &admin_,
                    {{"content-type", "text/plain"}}),
               415, "unsupported_media_type");
  expect_error(call("POST", "/v1/categories", R"({"name":"a","hierarchy":1})", &admin_,
                    {{"content-type", ""}}),
               415, "unsupported_media_type");
  auto ok = call("POST", "/v1/categories", R"({"name":"a","hierarchy":1})", &admin_,
                 {{"content-type", "Application/JSON; charset=utf-8"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(AppTest, UnknownRoutesAndMethods) {
  auto missing = expect_error(admin("GET", "/v1/nothing-here"), 404, "not_found");
  EXPECT_NE(std::string(missing["details"].as_string()).find("/v1/nothing-here"),
            std::string::npos);
  auto wrong = expect_error(admin("PATCH", "/v1/categories"), 405, "method_not_allowed");
  EXPECT_EQ(header(admin("PATCH", "/v1/categories"), "Allow"), "POST, GET");
  EXPECT_NE(std::string(wrong["details"].as_string()).find("POST, GET"), std::string::npos);
  expect_error(admin("GET", "/v1/categories/bad%zzescape"), 400, "invalid_payload");
}

TEST_F(AppTest, TrailingSlashIsAccepted) {
  auto r = admin("POST", "/v1/categories/", R"({"name":"Slash","hierarchy":1})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(admin("GET", "/v1/categories/").status, 200);
}

TEST_F(AppTest, RolesLimitWhatAKeyMayDo) {
  expect_error(call("POST", "/v1/categories", R"({"name":"a","hierarchy":1})", &user_), 403,
               "missing_required_permission");
  const std::string id = create("Shared", 1);
  EXPECT_EQ(call("GET", "/v1/categories/" + id, "", &user_).status, 200);
  EXPECT_EQ(call("PUT", "/v1/categories/" + id, R"({"hierarchy":3})", &user_).status, 200);
  expect_error(call("DELETE", "/v1/categories/" + id, "", &user_), 403,
               "missing_required_permission");
  EXPECT_EQ(admin("GET", "/v1/categories/" + id).status, 200);
}

TEST_F(AppTest, PaginationEdges) {
  for (int i = 0; i < 12; ++i) create("c" + std::to_string(i), i);
  expect_error(admin("GET", "/v1/categories?limit=0"), 400, "invalid_query_params");
  expect_error(admin("GET", "/v1/categories?limit=101"), 400, "invalid_query_params");
  expect_error(admin("GET", "/v1/categories?page=1001"), 400, "page_over_limit");
  expect_error(admin("GET", "/v1/categories?order=secret"), 400, "invalid_query_params");
  expect_error(admin("GET", "/v1/categories?filters[name][conditions][$near]=1"), 400,
               "invalid_query_params");

  auto first = json::parse(admin("GET", "/v1/categories?limit=5&order=-hierarchy").body);
  EXPECT_EQ(first.at("total").as_int64(), 12);
  EXPECT_TRUE(first.at("has_more").as_bool());
  EXPECT_EQ(first.at("data").as_array()[0].at("name").as_string(), "c11");
  std::set<std::string> seen;
  std::string cursor;
  for (int step = 0; step < 5; ++step) {
    const std::string target = "/v1/categories?limit=5&order=-hierarchy" +
                               (cursor.empty() ? "" : "&starting_after_id=" + cursor);
    auto page = json::parse(admin("GET", target).body).as_object();
    for (const auto& item : page["data"].as_array()) {
      seen.insert(std::string(item.at("id").as_string()));
    }
    if (!page["has_more"].as_bool()) {
      EXPECT_FALSE(page.contains("more_starting_after"));
      break;
    }
    cursor = std::string(page["more_starting_after"].as_string());
  }
  EXPECT_EQ(seen.size(), 12u);
  auto last = json::parse(admin("GET", "/v1/categories?limit=5&page=3").body);
  EXPECT_EQ(last.at("data").as_array().size(), 2u);
  auto beyond = json::parse(admin("GET", "/v1/categories?limit=5&page=1000").body);
  EXPECT_TRUE(beyond.at("data").as_array().empty());
  auto filtered = json::parse(
      admin("GET", "/v1/categories?filters[hierarchy][conditions][$more_than_equal]=10").body);
  EXPECT_EQ(filtered.at("total").as_int64(), 2);
}

TEST_F(AppTest, HealthAndMetrics) {
  auto health = call("GET", "/health");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(json::parse(health.body).at("database").as_string(), "ok");
  create("Counted", 1);
  admin("GET", "/v1/categories/cat_missing");
  auto metrics = call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_TRUE(metrics.content_type.starts_with("text/plain"));
  EXPECT_NE(
      metrics.body.find("openpromo_http_requests_total{method=\"POST\",route=\"/v1/categories\","
                        "status=\"200\"} 1"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("route=\"/v1/categories/{categoryId}\",status=\"404\""),
            std::string::npos);
  EXPECT_NE(metrics.body.find("openpromo_http_request_duration_seconds_bucket"), std::string::npos);
  call("BREW", "/v1/categories");
  call("X" + std::string(100, 'Y'), "/health");
  metrics = call("GET", "/metrics");
  // Both paths exist under other methods: two 405s under one label.
  EXPECT_NE(metrics.body.find("method=\"OTHER\",route=\"unmatched\",status=\"405\"} 2"),
            std::string::npos)
      << metrics.body;
  EXPECT_EQ(metrics.body.find("BREW"), std::string::npos) << "unknown methods share one label";
  EXPECT_EQ(metrics.body.find("XYYY"), std::string::npos);
  app_->set_draining();
  EXPECT_EQ(call("GET", "/health").status, 503);
}

TEST_F(AppTest, ClientApiCorsAndOrigins) {
  auto preflight =
      call("OPTIONS", "/client/v1/validations", "", nullptr, {{"origin", "https://shop.example"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(header(preflight, "Access-Control-Allow-Origin"), "https://shop.example");
  EXPECT_NE(header(preflight, "Access-Control-Allow-Headers").find("X-Client-Token"),
            std::string::npos);
  auto unknown = call("GET", "/client/v1/nothing", "", nullptr, {{"origin", "https://a.example"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(header(unknown, "Access-Control-Allow-Origin"), "https://a.example");

  KeyService keys(*store_);
  EXPECT_TRUE(
      keys.authenticate_client(client_.key.app_id, client_.token, "https://shop.example").ok());
  auto foreign =
      keys.authenticate_client(client_.key.app_id, client_.token, "https://evil.example");
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, 401);
  EXPECT_FALSE(keys.authenticate_client(client_.key.app_id, client_.token, "").ok());
  EXPECT_FALSE(
      keys.authenticate_client(admin_.key.app_id, admin_.token, "https://shop.example").ok());
}

TEST_F(AppTest, AccessLogHasOneLinePerRequestAndNoSecrets) {
  auto r = admin("POST", "/v1/categories", R"({"name":"Logged","hierarchy":1})");
  call("GET", "/v1/categories");
  const std::string log = read_log();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 2);
  EXPECT_NE(log.find(header(r, "X-Request-Id")), std::string::npos);
  EXPECT_NE(log.find("\"route\":\"/v1/categories\""), std::string::npos);
  EXPECT_NE(log.find("\"status\":401"), std::string::npos);
  EXPECT_NE(log.find(admin_.key.id), std::string::npos);
  EXPECT_EQ(log.find(admin_.token), std::string::npos);
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    auto parsed = json::parse(line).as_object();
    EXPECT_TRUE(parsed.contains("latency_us"));
    EXPECT_TRUE(parsed.contains("request_id"));
  }
}

}  // namespace
}  // namespace openpromo::api
