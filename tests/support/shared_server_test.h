// SharedServerTest: a gtest fixture whose suite shares one `openpromo serve` (started before the
// suite's first test, stopped after its last) and sends it JSON with the bootstrap key. For
// suites whose tests do not depend on a fresh database; each test gets a fresh connection.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <boost/json/parse.hpp>

#include "support/http_client.h"
#include "support/server_process.h"

namespace openpromo::testing {

class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server() = std::make_unique<ServerProcess>(); }
  static void TearDownTestSuite() { server().reset(); }
  void SetUp() override { client_ = std::make_unique<HttpClient>(server()->port()); }

  static std::unique_ptr<ServerProcess>& server() {
    static std::unique_ptr<ServerProcess> shared;
    return shared;
  }
  static const HeaderList& auth() {
    static const HeaderList headers{{"X-App-Id", ServerProcess::kAppId},
                                    {"X-App-Token", ServerProcess::kAppToken},
                                    {"Content-Type", "application/json"}};
    return headers;
  }

  HttpResult post(const std::string& path, const std::string& body) {
    return client_->request("POST", path, body, auth());
  }
  HttpResult put(const std::string& path, const std::string& body) {
    return client_->request("PUT", path, body, auth());
  }
  HttpResult get(const std::string& path) { return client_->request("GET", path, "", auth()); }
  HttpResult del(const std::string& path) { return client_->request("DELETE", path, "", auth()); }

  // Voucherify's error JSON with `status` and `key`, and every field the contract names.
  void expect_error(const HttpResult& r, int status, const std::string& key) {
    EXPECT_EQ(r.status, status) << r.body;
    const auto json = r.json();
    ASSERT_TRUE(json.is_object()) << r.body;
    EXPECT_EQ(json.at("key").as_string(), key) << r.body;
    for (const char* field : {"code", "message", "details", "request_id"}) {
      EXPECT_TRUE(json.as_object().contains(field)) << field << " missing: " << r.body;
    }
  }
  // Headers of a new client key (role `user`) of the shared server's project, allowed from
  // `origin` and sending it.
  static HeaderList client_key_headers(const std::string& origin) {
    const auto made = run_openpromo({"keys", "create", "--db", server()->db_url(), "--client",
                                     "--origin", origin, "--role", "user"});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    const auto key = boost::json::parse(made.out).as_object();
    return HeaderList{{"X-Client-Application-Id", std::string(key.at("app_id").as_string())},
                      {"X-Client-Token", std::string(key.at("app_token").as_string())},
                      {"Origin", origin},
                      {"Content-Type", "application/json"}};
  }
  // Validating one `redeemable` ({object, id, ...}) on an order of `amount`: whether it is
  // valid, and the order's total discount.
  std::pair<bool, int64_t> validation_outcome(const std::string& redeemable, int64_t amount) {
    const auto r =
        post("/v1/validations", R"({"redeemables":[)" + redeemable + R"(],"order":{"amount":)" +
                                    std::to_string(amount) + "}}");
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {false, 0};
    const auto j = r.json();
    return {j.at("valid").as_bool(), j.at("order").at("total_discount_amount").as_int64()};
  }
  // The server is still up and answering after whatever the test sent.
  void expect_alive() {
    HttpClient fresh(server()->port());
    EXPECT_EQ(fresh.request("GET", "/health").status, 200);
  }

  std::unique_ptr<HttpClient> client_;
};

}  // namespace openpromo::testing
