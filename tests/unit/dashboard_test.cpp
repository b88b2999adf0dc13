// Dashboard users and sessions (issue 20) through the App in-process, on both backends: sign-in,
// the session cookie, CSRF on writes, sign-in throttling, viewers, restricted users, sign-out and
// the static pages.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "api/app.h"
#include "core/password.h"
#include "support/migrated_store.h"
#include "support/server_process.h"
#include "support/test_database.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::open_migrated(db_, store_, project_));
    KeyService keys(*store_);
    admin_key_ = keys.create(project_, KeyKind::kServer, Role::kAdmin, {}).value();
    std::filesystem::create_directories(dir_.path() + "/web/dashboard");
    std::ofstream(dir_.path() + "/web/dashboard/index.html") << "<!doctype html><title>t</title>";
    std::ofstream(dir_.path() + "/web/secret.txt") << "outside the pages";
    std::filesystem::create_directories(dir_.path() + "/web/dashboard/lib");
    AppOptions options;
    options.access_log = false;
    options.web_root = dir_.path() + "/web";
    app_ = std::make_unique<App>(*store_, options);
  }

  DashboardUser make_user(const std::string& email, DashboardRole role,
                          const AssignmentIds& assignments = {}) {
    KeyService keys(*store_);
    auto user =
        DashboardService(*store_, keys).create_user(project_, email, role, kPassword, assignments);
    EXPECT_TRUE(user.ok()) << (user.ok() ? "" : user.error().details);
    return user.ok() ? *user : DashboardUser{};
  }

  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& body = "", Headers headers = {}) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers = std::move(headers);
    if (!body.empty()) r.headers.emplace_back("content-type", "application/json");
    return app_->handle(r);
  }
  HttpResponse as_admin_key(const std::string& method, const std::string& target,
                            const std::string& body = "") {
    return call(method, target, body,
                {{"x-app-id", admin_key_.key.app_id}, {"x-app-token", admin_key_.token}});
  }

  struct Signed {
    std::string cookie;  // "op_session=..."
    std::string csrf;
  };
  HttpResponse sign_in_response(const std::string& email, const std::string& password) {
    return call("POST", "/dashboard/api/session",
                json::serialize(json::object{{"email", email}, {"password", password}}));
  }
  Signed sign_in(const std::string& email) {
    HttpResponse r = sign_in_response(email, kPassword);
    EXPECT_EQ(r.status, 200) << r.body;
    Signed s;
    const std::string set_cookie = header(r, "Set-Cookie");
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    s.csrf = std::string(json::parse(r.body).at("csrf_token").as_string());
    return s;
  }
  HttpResponse as(const Signed& s, const std::string& method, const std::string& target,
                  const std::string& body = "", bool with_csrf = true) {
    Headers h{{"cookie", "theme=dark; " + s.cookie}};
    if (with_csrf) h.emplace_back("x-csrf-token", s.csrf);
    return call(method, target, body, std::move(h));
  }

  static std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }
  static std::string key_of(const HttpResponse& r) {
    return std::string(json::parse(r.body).at("key").as_string());
  }

  static constexpr const char* kPassword = "correct horse battery";
  testing::TempDir dir_;
  testing::TestDatabase db_;
  std::unique_ptr<Store> store_;
  Project project_;
  NewKey admin_key_;
  std::unique_ptr<App> app_;
};

TEST_F(DashboardTest, PasswordsAreStoredAsArgon2idHashesThatVerifyOnlyTheRightPassword) {
  const DashboardUser user = make_user("Someone@Example.COM ", DashboardRole::kAdmin);
  EXPECT_EQ(user.email, "someone@example.com");
  EXPECT_TRUE(user.password_hash.starts_with("$argon2id$")) << user.password_hash;
  EXPECT_EQ(user.password_hash.find(kPassword), std::string::npos);
  EXPECT_TRUE(verify_password(user.password_hash, kPassword));
  EXPECT_FALSE(verify_password(user.password_hash, "correct horse battery!"));
  EXPECT_FALSE(verify_password("not a hash", kPassword));
}

TEST_F(DashboardTest, CreatingAUserRefusesBadInputAndADuplicateEmailWithoutAnOrphanKey) {
  KeyService keys(*store_);
  DashboardService users(*store_, keys);
  EXPECT_EQ(
      users.create_user(project_, "no-at-sign", DashboardRole::kUser, kPassword, {}).error().code,
      400);
  EXPECT_EQ(users.create_user(project_, "a@b.c", DashboardRole::kUser, "short", {}).error().code,
            400);
  EXPECT_EQ(
      users.create_user(project_, "a@b.c", DashboardRole::kRestricted, kPassword, {}).error().code,
      400);
  make_user("dup@example.com", DashboardRole::kUser);
  auto again = users.create_user(project_, "DUP@example.com", DashboardRole::kAdmin, kPassword, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().key, "duplicate_found");
  // The key made for the refused user went with its unit: only the admin key and the first
  // user's key exist.
  auto tx = store_->statements().value();
  EXPECT_EQ(tx.query("SELECT COUNT(*) FROM api_keys").value().rows.at(0).integer(0), 2);
  EXPECT_EQ(users.count_users().value(), 1);
}

TEST_F(DashboardTest, SignInSetsAnHttpOnlySameSiteCookieAndTheSessionOpensTheApi) {
  make_user("ops@example.com", DashboardRole::kAdmin);
  HttpResponse r = sign_in_response("OPS@example.com", kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string cookie = header(r, "Set-Cookie");
  EXPECT_TRUE(cookie.starts_with("op_session=")) << cookie;
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; Path=/"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos)
      << "plain HTTP: a Secure cookie never returns";
  HttpResponse proxied =
      call("POST", "/dashboard/api/session",
           json::serialize(json::object{{"email", "ops@example.com"}, {"password", kPassword}}),
           {{"x-forwarded-proto", "https"}});
  EXPECT_NE(header(proxied, "Set-Cookie").find("; Secure"), std::string::npos);
  const json::object body = json::parse(r.body).as_object();
  EXPECT_EQ(body.at("user").at("email").as_string(), "ops@example.com");
  EXPECT_EQ(body.at("user").at("role").as_string(), "admin");
  EXPECT_FALSE(body.at("csrf_token").as_string().empty());
  // The cookie is not an API key: the body never carries a token of the user's key.
  EXPECT_EQ(r.body.find("app_token"), std::string::npos);

  Signed s = sign_in("ops@example.com");
  HttpResponse who = as(s, "GET", "/dashboard/api/session");
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(json::parse(who.body).at("csrf_token").as_string(), s.csrf);
  EXPECT_EQ(as(s, "GET", "/v1/campaigns").status, 200);
  EXPECT_EQ(call("GET", "/v1/campaigns", "", {{"cookie", "op_session=forged"}}).status, 401);
  EXPECT_EQ(call("GET", "/dashboard/api/session").status, 401);
}

TEST_F(DashboardTest, AWrongPasswordAndAnUnknownEmailGetTheSameAnswer) {
  make_user("ops@example.com", DashboardRole::kAdmin);
  HttpResponse wrong = sign_in_response("ops@example.com", "not the password");
  HttpResponse unknown = sign_in_response("nobody@example.com", kPassword);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(key_of(wrong), key_of(unknown));
  EXPECT_EQ(json::parse(wrong.body).at("details"), json::parse(unknown.body).at("details"));
  EXPECT_TRUE(header(wrong, "Set-Cookie").empty());
  EXPECT_EQ(call("POST", "/dashboard/api/session", "{\"email\":").status, 400);
  HttpRequest form;
  form.method = "POST";
  form.target = "/dashboard/api/session";
  form.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  form.body = "email=ops%40example.com&password=x";
  EXPECT_EQ(app_->handle(form).status, 415);  // a cross-site form cannot sign anyone in
}

TEST_F(DashboardTest, RepeatedFailuresLockTheEmailOutEvenForTheRightPassword) {
  make_user("ops@example.com", DashboardRole::kAdmin);
  for (int i = 0; i < DashboardService::kFreeFailures; ++i) {
    EXPECT_EQ(sign_in_response("ops@example.com", "guess " + std::to_string(i)).status, 401);
  }
  HttpResponse locked = sign_in_response("ops@example.com", kPassword);
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(key_of(locked), "too_many_requests");
  // A NUL cannot make a fresh lock-out key for the same account (a C-string driver would cut
  // the email at it).
  EXPECT_EQ(
      call("POST", "/dashboard/api/session",
           std::string(R"({"email":"ops@example.com\u0000x","password":")") + kPassword + "\"}")
          .status,
      400);
  // Other emails are not locked out by it.
  make_user("other@example.com", DashboardRole::kAdmin);
  EXPECT_EQ(sign_in_response("other@example.com", kPassword).status, 200);
}

TEST_F(DashboardTest, EveryWriteNeedsTheSessionsCsrfToken) {
  make_user("ops@example.com", DashboardRole::kUser);
  Signed s = sign_in("ops@example.com");
  const std::string body = R"({"source_id":"summer-shopper","name":"Summer"})";
  HttpResponse missing = as(s, "POST", "/v1/customers", body, /*with_csrf=*/false);
  EXPECT_EQ(missing.status, 403) << missing.body;
  Signed other = s;
  other.csrf = "not-the-token";
  EXPECT_EQ(as(other, "POST", "/v1/customers", body).status, 403);
  EXPECT_EQ(as_admin_key("GET", "/v1/customers/summer-shopper").status, 404);
  EXPECT_EQ(as(s, "POST", "/v1/customers", body).status, 200);
  EXPECT_EQ(as_admin_key("GET", "/v1/customers/summer-shopper").status, 200);
  // Signing out is a write too.
  EXPECT_EQ(as(s, "DELETE", "/dashboard/api/session", "", /*with_csrf=*/false).status, 403);
}

TEST_F(DashboardTest, AViewerReadsAndValidatesButCannotChangeAnything) {
  make_user("viewer@example.com", DashboardRole::kViewer);
  Signed s = sign_in("viewer@example.com");
  EXPECT_EQ(as(s, "GET", "/v1/campaigns").status, 200);
  HttpResponse write = as(s, "POST", "/v1/categories", R"({"name":"Nope","hierarchy":1})");
  EXPECT_EQ(write.status, 403) << write.body;
  EXPECT_EQ(key_of(write), "missing_required_permission");
  EXPECT_EQ(
      as(s, "POST", "/v1/validations", R"({"redeemables":[{"object":"voucher","id":"X"}]})").status,
      200);
}

TEST_F(DashboardTest, ARestrictedUserSeesOnlyTheCampaignsOfItsStore) {
  auto area = as_admin_key("POST", "/v1/areas", R"({"name":"France"})");
  const std::string area_id(json::parse(area.body).at("id").as_string());
  auto lyon = as_admin_key("POST", "/v1/areas/" + area_id + "/stores", R"({"name":"Lyon"})");
  auto paris = as_admin_key("POST", "/v1/areas/" + area_id + "/stores", R"({"name":"Paris"})");
  const std::string lyon_id(json::parse(lyon.body).at("id").as_string());
  const std::string paris_id(json::parse(paris.body).at("id").as_string());
  for (const auto& [name, store] : {std::pair{"Lyon deals", lyon_id}, {"Paris deals", paris_id}}) {
    auto c = as_admin_key("POST", "/v1/campaigns",
                          std::string(R"({"name":")") + name +
                              R"(","campaign_type":"PROMOTION","access_settings":{"assign":)"
                              R"({"area_stores_ids":[")" +
                              store + R"("]}}})");
    ASSERT_EQ(c.status, 200) << c.body;
  }
  AssignmentIds lyon_only;
  lyon_only.area_stores_ids = {lyon_id};
  make_user("lyon@example.com", DashboardRole::kRestricted, lyon_only);
  Signed s = sign_in("lyon@example.com");
  HttpResponse list = as(s, "GET", "/v1/campaigns?limit=100");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_NE(list.body.find("Lyon deals"), std::string::npos) << list.body;
  EXPECT_EQ(list.body.find("Paris deals"), std::string::npos) << list.body;
  const json::value me = json::parse(as(s, "GET", "/dashboard/api/session").body);
  EXPECT_EQ(me.at("user").at("role"), "restricted");
  // Only admins list the users, with the restricted ones' stores (the areas screen shows them).
  EXPECT_EQ(as(s, "GET", "/dashboard/api/users").status, 403);
  make_user("boss@example.com", DashboardRole::kAdmin);
  Signed boss = sign_in("boss@example.com");
  HttpResponse users = as(boss, "GET", "/dashboard/api/users");
  ASSERT_EQ(users.status, 200) << users.body;
  const json::value users_json = json::parse(users.body);
  const json::array& listed = users_json.at("data").as_array();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].at("email"), "lyon@example.com");  // by email
  EXPECT_EQ(listed[1].at("assignments").at(0).at("area_store_id"), json::value(lyon_id));
  EXPECT_TRUE(listed[0].at("assignments").as_array().empty());
  EXPECT_EQ(users.body.find("password"), std::string::npos);
  // Its own stores, for the reach of the campaigns it creates (it may not list areas).
  EXPECT_EQ(me.at("user").at("assignments").at("area_stores_ids"),
            json::array{json::value(lyon_id)});
}

TEST_F(DashboardTest, SignOutEndsTheSessionAndClearsTheCookie) {
  make_user("ops@example.com", DashboardRole::kAdmin);
  Signed s = sign_in("ops@example.com");
  HttpResponse out = as(s, "DELETE", "/dashboard/api/session");
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(header(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(as(s, "GET", "/v1/campaigns").status, 401);
  EXPECT_EQ(as(s, "GET", "/dashboard/api/session").status, 401);
  // Signing out again (an ended or unknown session) still clears the cookie.
  HttpResponse again = as(s, "DELETE", "/dashboard/api/session");
  EXPECT_EQ(again.status, 204);
  EXPECT_NE(header(again, "Set-Cookie").find("Max-Age=0"), std::string::npos);
}

// The campaign page charts validations: the summary counts them per campaign and day.
TEST_F(DashboardTest, ValidationsAreCountedPerCampaignAndDayInTheSummary) {
  auto rule = as_admin_key("POST", "/v1/validation-rules",
                           R"({"name":"over 50","rules":{"1":{"name":"order.amount",)"
                           R"("conditions":{"$more_than":[5000]},"rules":{}},"logic":"1"}})");
  ASSERT_EQ(rule.status, 200) << rule.body;
  const std::string rule_id(json::parse(rule.body).at("id").as_string());
  auto promo = as_admin_key(
      "POST", "/v1/campaigns",
      R"({"name":"Counted","campaign_type":"PROMOTION","promotion":{"tiers":[{"name":"5 off",)"
      R"("action":{"discount":{"type":"AMOUNT","amount_off":500}},"validation_rules":[")" +
          rule_id + R"("]}]}})");
  ASSERT_EQ(promo.status, 200) << promo.body;
  const json::object campaign = json::parse(promo.body).as_object();
  const std::string id(campaign.at("id").as_string());
  const std::string tier(
      campaign.at("promotion").at("tiers").as_array().at(0).at("id").as_string());
  auto validate = [&](int amount) {
    return as_admin_key("POST", "/v1/validations",
                        R"({"order":{"amount":)" + std::to_string(amount) +
                            R"(},"redeemables":[{"object":"promotion_tier","id":")" + tier +
                            R"("}]})");
  };
  for (int amount : {6000, 7000, 1000}) ASSERT_EQ(validate(amount).status, 200);
  // A redemption validates too, but is not a validation.
  ASSERT_EQ(as_admin_key("POST", "/v1/redemptions",
                         R"({"order":{"amount":8000},"redeemables":[{"object":"promotion_tier",)"
                         R"("id":")" +
                             tier + R"("}]})")
                .status,
            200);
  ASSERT_TRUE(app_->flush_validation_counts().ok());
  auto summary = [&](const std::string& query) {
    HttpResponse r = as_admin_key("GET", "/v1/campaigns/" + id + "/summary" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).as_object();
  };
  json::object all = summary("");
  EXPECT_EQ(all.at("validations").as_int64(), 3);
  EXPECT_EQ(all.at("validations_succeeded").as_int64(), 2);
  EXPECT_EQ(all.at("validations_failed").as_int64(), 1);
  EXPECT_EQ(all.at("redemptions").as_int64(), 1);
  const std::string today = format_iso8601(now_utc()).substr(0, 10);
  EXPECT_EQ(summary("?start_date=" + today + "&end_date=" + today).at("validations").as_int64(), 3);
  EXPECT_EQ(summary("?end_date=2000-01-01").at("validations").as_int64(), 0);
  // Counts add up across writes (and nodes): a second batch adds to the day.
  ASSERT_EQ(validate(9000).status, 200);
  ASSERT_TRUE(app_->flush_validation_counts().ok());
  EXPECT_EQ(summary("").at("validations_succeeded").as_int64(), 3);
}

TEST_F(DashboardTest, PagesAreServedFromTheWebRootAndNothingOutsideIt) {
  HttpResponse page = call("GET", "/dashboard/");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(header(page, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(header(page, "X-Content-Type-Options"), "nosniff");
  HttpResponse bare = call("GET", "/dashboard");
  EXPECT_EQ(bare.status, 301);
  EXPECT_EQ(header(bare, "Location"), "/dashboard/");
  for (const char* hostile :
       {"/dashboard/../secret.txt", "/dashboard/%2e%2e/secret.txt", "/dashboard/.hidden",
        "/dashboard/a//b", "/dashboard/missing.js", "/demo/..%2fsecret.txt"}) {
    HttpResponse r = call("GET", hostile);
    EXPECT_EQ(r.status, 404) << hostile;
    EXPECT_EQ(r.body.find("outside the pages"), std::string::npos) << hostile;
    EXPECT_EQ(key_of(r), "not_found") << hostile;
  }
  EXPECT_EQ(call("POST", "/dashboard/", "{}").status, 405);
}

}  // namespace
}  // namespace openpromo::api
