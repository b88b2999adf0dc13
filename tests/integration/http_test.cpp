// The real binary over real HTTP: transport limits, errors, keep-alive and the categories API.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <thread>

#include "support/http_client.h"
#include "support/server_process.h"

namespace openpromo::testing {
namespace {

namespace json = boost::json;

const HeaderList kAuth{{"X-App-Id", ServerProcess::kAppId},
                       {"X-App-Token", ServerProcess::kAppToken}};

void expect_error_json(const HttpResult& r, int status, const std::string& key) {
  EXPECT_EQ(r.status, status) << r.body;
  auto body = json::parse(r.body).as_object();
  EXPECT_EQ(body["code"].as_int64(), status);
  EXPECT_EQ(body["key"].as_string(), key) << r.body;
  EXPECT_TRUE(body.contains("message"));
  EXPECT_TRUE(body.contains("details"));
  EXPECT_EQ(body["request_id"].as_string(), r.header("x-request-id"));
}

class HttpTest : public ::testing::Test {
 protected:
  ServerProcess server_;
};

TEST_F(HttpTest, HealthChecksTheDatabase) {
  HttpClient c(server_.port());
  auto r = c.request("GET", "/health");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("status").as_string(), "ok");
  EXPECT_EQ(r.json().at("database").as_string(), "ok");
}

TEST_F(HttpTest, CategoriesEndToEnd) {
  HttpClient c(server_.port());
  auto created = c.request("POST", "/v1/categories", R"({"name":"Eighth","hierarchy":8})", kAuth);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(created.json().at("id").as_string());
  EXPECT_TRUE(id.starts_with("cat_"));
  auto got = c.request("GET", "/v1/categories/" + id, "", kAuth);
  EXPECT_EQ(got.body, created.body);
  auto updated =
      c.request("PUT", "/v1/categories/" + id, R"({"name":"Summer","hierarchy":1})", kAuth);
  EXPECT_EQ(updated.json().at("name").as_string(), "Summer");
  EXPECT_TRUE(updated.json().as_object().contains("updated_at"));
  auto list = c.request("GET", "/v1/categories", "", kAuth);
  EXPECT_EQ(list.json().at("total").as_int64(), 1);
  auto deleted = c.request("DELETE", "/v1/categories/" + id, "", kAuth);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  expect_error_json(c.request("GET", "/v1/categories/" + id, "", kAuth), 404, "not_found");
}

TEST_F(HttpTest, HeadAnswersHeadersOnlyAndKeepsTheConnectionInSync) {
  HttpClient c(server_.port());
  auto get = c.request("GET", "/health");
  c.send_raw("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n");
  // Read the header block by hand: a HEAD response has a Content-Length but no body.
  c.send_raw("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  auto head = c.read_response_to_head();
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size()));
  EXPECT_TRUE(head.body.empty());
  auto next = c.read_response();
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body, get.body);
}

TEST_F(HttpTest, NoContentHasNoLength) {
  HttpClient c(server_.port());
  auto created = c.request("POST", "/v1/categories", R"({"name":"x","hierarchy":1})", kAuth);
  const std::string id(created.json().at("id").as_string());
  auto deleted = c.request("DELETE", "/v1/categories/" + id, "", kAuth);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.header("content-length"), "");
  EXPECT_EQ(c.request("GET", "/health").status, 200);
}

TEST_F(HttpTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient c(server_.port());
  for (int i = 0; i < 50; ++i) {
    auto r = c.request("POST", "/v1/categories",
                       R"({"name":"k)" + std::to_string(i) + R"(","hierarchy":1})", kAuth);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_NE(r.header("connection"), "close");
  }
  EXPECT_EQ(c.request("GET", "/v1/categories?limit=1", "", kAuth).json().at("total").as_int64(),
            50);
}

TEST_F(HttpTest, AuthErrors) {
  HttpClient c(server_.port());
  expect_error_json(c.request("GET", "/v1/categories"), 401, "unauthorized");
  expect_error_json(c.request("GET", "/v1/categories", "",
                              {{"X-App-Id", ServerProcess::kAppId}, {"X-App-Token", "wrong"}}),
                    401, "unauthorized");
  EXPECT_EQ(c.request("GET", "/health").status, 200);  // the connection is still usable
}

TEST_F(HttpTest, MalformedJsonAndWrongContentType) {
  HttpClient c(server_.port());
  expect_error_json(c.request("POST", "/v1/categories", R"({"name":)", kAuth), 400,
                    "invalid_payload");
  HeaderList text = kAuth;
  text.emplace_back("Content-Type", "text/plain");
  expect_error_json(c.request("POST", "/v1/categories", "name=x", text), 415,
                    "unsupported_media_type");
  EXPECT_EQ(c.request("GET", "/v1/categories", "", kAuth).json().at("total").as_int64(), 0);
}

TEST_F(HttpTest, OversizedBodyIs413AndTheServerKeepsServing) {
  {
    HttpClient c(server_.port());
    const std::string big(1024 * 1024 + 1, 'a');
    auto r = c.request("POST", "/v1/categories", big, kAuth);
    expect_error_json(r, 413, "query_too_large");
    EXPECT_EQ(r.header("connection"), "close");
  }
  {
    // Chunked, so the size is only known while reading.
    HttpClient c(server_.port());
    std::string req =
        "POST /v1/categories HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nX-App-Id: test-app-id\r\nX-App-Token: "
        "test-app-token\r\n\r\n";
    const std::string chunk(256 * 1024, 'b');
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    for (int i = 0; i < 5; ++i) req += size + chunk + "\r\n";
    req += "0\r\n\r\n";
    c.send_raw(req);
    expect_error_json(c.read_response(), 413, "query_too_large");
  }
  HttpClient after(server_.port());
  EXPECT_EQ(after.request("GET", "/health").status, 200);
  auto exact = after.request(
      "POST", "/v1/categories",
      R"({"name":"fits","hierarchy":1,"pad":")" + std::string(1024 * 1024 - 64, 'p') + "\"}",
      kAuth);
  EXPECT_EQ(exact.status, 200) << exact.body.substr(0, 200);
}

TEST_F(HttpTest, OversizedHeaderIs431) {
  HttpClient c(server_.port());
  HeaderList huge = kAuth;
  huge.emplace_back("X-Padding", std::string(20000, 'h'));
  expect_error_json(c.request("GET", "/v1/categories", "", huge), 431, "query_too_large");
  HttpClient after(server_.port());
  EXPECT_EQ(after.request("GET", "/health").status, 200);
}

TEST_F(HttpTest, GarbageIs400) {
  HttpClient c(server_.port());
  c.send_raw("THIS IS NOT HTTP\r\n\r\n");
  expect_error_json(c.read_response(), 400, "invalid_request");
  HttpClient d(server_.port());
  d.send_raw("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
  expect_error_json(d.read_response(), 400, "invalid_request");
  HttpClient after(server_.port());
  EXPECT_EQ(after.request("GET", "/health").status, 200);
}

TEST_F(HttpTest, UnknownRouteAndMethod) {
  HttpClient c(server_.port());
  expect_error_json(c.request("GET", "/v1/nope", "", kAuth), 404, "not_found");
  auto r = c.request("PATCH", "/v1/categories", "", kAuth);
  expect_error_json(r, 405, "method_not_allowed");
  EXPECT_EQ(r.header("allow"), "POST, GET");
}

TEST_F(HttpTest, TrailingSlashAndExpectContinue) {
  HttpClient c(server_.port());
  EXPECT_EQ(c.request("POST", "/v1/categories/", R"({"name":"a","hierarchy":1})", kAuth).status,
            200);
  // curl's habit for larger bodies: wait for 100 Continue before sending the body.
  HttpClient e(server_.port());
  const std::string body = R"({"name":"b","hierarchy":2})";
  e.send_raw(
      "POST /v1/categories HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Expect: 100-continue\r\nX-App-Id: test-app-id\r\nX-App-Token: test-app-token\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  e.send_raw(body);
  EXPECT_EQ(e.read_response().status, 200);
}

TEST_F(HttpTest, ClientApiPreflight) {
  HttpClient c(server_.port());
  auto r =
      c.request("OPTIONS", "/client/v1/validations", "",
                {{"Origin", "https://shop.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("access-control-allow-origin"), "https://shop.example");
}

TEST_F(HttpTest, MetricsCountRequestsByRoute) {
  HttpClient c(server_.port());
  c.request("GET", "/v1/categories", "", kAuth);
  c.request("GET", "/v1/categories", "", kAuth);
  auto m = c.request("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("openpromo_http_requests_total{method=\"GET\",route=\"/v1/categories\","
                        "status=\"200\"} 2"),
            std::string::npos)
      << m.body;
}

TEST_F(HttpTest, AccessLogNamesRequestsAndNeverTokens) {
  HttpClient c(server_.port());
  auto r = c.request("GET", "/v1/categories", "", kAuth);
  std::string log;
  for (int i = 0; i < 100 && log.find(r.header("x-request-id")) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log = server_.stderr_text();
  }
  EXPECT_NE(log.find(r.header("x-request-id")), std::string::npos);
  EXPECT_NE(log.find("\"route\":\"/v1/categories\""), std::string::npos);
  EXPECT_EQ(log.find(ServerProcess::kAppToken), std::string::npos);
}

TEST(HttpTimeouts, IdleAndSlowHeaderConnectionsAreClosed) {
  ServerProcess::Options o;
  o.extra_args = {"--idle-timeout-ms", "300", "--header-timeout-ms", "300"};
  ServerProcess server(o);
  HttpClient idle(server.port());
  EXPECT_EQ(idle.request("GET", "/health").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_TRUE(idle.closed_by_peer());

  HttpClient slow(server.port());
  slow.send_raw("GET /health HTTP/1.1\r\nHost: x\r\n");  // never finishes the header
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_TRUE(slow.closed_by_peer());

  HttpClient fresh(server.port());
  EXPECT_EQ(fresh.request("GET", "/health").status, 200);
}

}  // namespace
}  // namespace openpromo::testing
