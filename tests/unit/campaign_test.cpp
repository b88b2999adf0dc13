// Campaigns, vouchers, code generation and async actions through the App, on a real store, with
// the background JobRunner running as in the server.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <regex>
#include <set>
#include <thread>

#include "api/app.h"
#include "service/job_runner.h"
#include "support/migrated_store.h"
#include "support/test_database.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

class CampaignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::open_migrated(db_, store_, project_));
    admin_ = KeyService(*store_).create(project_, KeyKind::kServer, Role::kAdmin, {}).value();
    app_ = std::make_unique<App>(
        *store_, AppOptions{.access_log = false, .log_stream = stderr, .catalog = {}});
    jobs_ = std::make_unique<JobRunner>(*store_, app_->wire(), "test-node");
    app_->set_job_waker([this] { jobs_->wake(); });
    jobs_->start(true);
  }
  void TearDown() override {
    jobs_.reset();
    app_.reset();
  }

  struct Reply {
    int status;
    json::value body;
  };
  Reply call(const std::string& method, const std::string& target, const std::string& body = "",
             const std::string& content_type = "application/json") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers = {{"x-app-id", admin_.key.app_id}, {"x-app-token", admin_.token}};
    if (!body.empty()) r.headers.emplace_back("content-type", content_type);
    auto response = app_->handle(r);
    return Reply{response.status,
                 response.body.empty() ? json::value(nullptr) : json::parse(response.body)};
  }
  static void expect_error(const Reply& r, int status, const std::string& key) {
    EXPECT_EQ(r.status, status) << json::serialize(r.body);
    if (r.body.is_object()) {
      EXPECT_EQ(r.body.at("key").as_string(), key) << json::serialize(r.body);
    }
  }
  // Polls an async action until it finishes.
  json::object wait_for(const std::string& action_id) {
    for (int i = 0; i < 1000; ++i) {
      auto r = call("GET", "/v1/async-actions/" + action_id);
      EXPECT_EQ(r.status, 200);
      const auto status = r.body.at("status").as_string();
      if (status == "DONE" || status == "FAILED") return r.body.as_object();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "async action " << action_id << " did not finish";
    return {};
  }
  int64_t campaign_count() {
    return call("GET", "/v1/campaigns?limit=1").body.at("total").as_int64();
  }
  int64_t voucher_count() {
    return call("GET", "/v1/vouchers?limit=1").body.at("total").as_int64();
  }

  static constexpr const char* kCoupon =
      R"({"name":"%s","campaign_type":"DISCOUNT_COUPONS","type":"AUTO_UPDATE","vouchers_count":%d,)"
      R"("voucher":{"type":"DISCOUNT_VOUCHER","discount":{"type":"PERCENT","percent_off":10},)"
      R"("redemption":{"quantity":1},"code_config":{"pattern":"SUM-####"}},"metadata":{"region":"EU"}})";
  std::string coupon(const std::string& name, int count) {
    char buf[1024];
    std::snprintf(buf, sizeof buf, kCoupon, name.c_str(), count);
    return buf;
  }

  testing::TestDatabase db_;
  std::unique_ptr<Store> store_;
  Project project_;
  NewKey admin_;
  std::unique_ptr<App> app_;
  std::unique_ptr<JobRunner> jobs_;
};

TEST_F(CampaignTest, CreateWithoutCodesHasTheContractShape) {
  auto r = call("POST", "/v1/campaigns", coupon("Empty", 0));
  ASSERT_EQ(r.status, 200) << json::serialize(r.body);
  const auto& c = r.body.as_object();
  EXPECT_TRUE(c.at("id").as_string().starts_with("camp_"));
  EXPECT_EQ(c.at("campaign_type").as_string(), "DISCOUNT_COUPONS");
  EXPECT_EQ(c.at("type").as_string(), "AUTO_UPDATE");
  EXPECT_EQ(c.at("vouchers_count").as_int64(), 0);
  EXPECT_EQ(c.at("active").as_bool(), true);
  EXPECT_EQ(c.at("object").as_string(), "campaign");
  EXPECT_EQ(c.at("creation_status").as_string(), "DONE");
  EXPECT_EQ(c.at("metadata").at("region").as_string(), "EU");
  const auto& tmpl = c.at("voucher").as_object();
  EXPECT_EQ(tmpl.at("discount").at("percent_off").as_int64(), 10);
  EXPECT_EQ(tmpl.at("code_config").at("pattern").as_string(), "SUM-####");
  EXPECT_EQ(tmpl.at("code_config").at("length").as_int64(), 4);
  EXPECT_EQ(c.at("validation_rules_assignments").at("object").as_string(), "list");
}

TEST_F(CampaignTest, DeletingACampaignStopsItsGeneration) {
  auto r = call("POST", "/v1/campaigns",
                coupon("Doomed", 0)
                    .replace(coupon("Doomed", 0).find("\"vouchers_count\":0"), 18,
                             "\"vouchers_count\":100000"));
  ASSERT_EQ(r.status, 200) << json::serialize(r.body);
  const std::string id(r.body.at("id").as_string());
  EXPECT_EQ(call("DELETE", "/v1/campaigns/" + id).status, 202);
  auto action = wait_for(std::string(r.body.at("async_action_id").as_string()));
  EXPECT_EQ(action.at("status").as_string(), "FAILED") << json::serialize(action);
  // Whatever was committed before the delete went to the bin with the campaign; nothing after.
  auto live = call("GET", "/v1/vouchers?campaign_id=" + id);
  EXPECT_EQ(live.body.at("total").as_int64(), 0);
  EXPECT_EQ(call("GET", "/v1/vouchers?limit=1").body.at("total").as_int64(), 0);
}

TEST_F(CampaignTest, OneCodeIsGeneratedInline) {
  auto r = call("POST", "/v1/campaigns", coupon("One", 1));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("vouchers_count").as_int64(), 1);
  EXPECT_EQ(r.body.at("creation_status").as_string(), "DONE");
  EXPECT_FALSE(r.body.as_object().contains("async_action_id"));
  auto list = call("GET", "/v1/vouchers?campaign=One");
  ASSERT_EQ(list.body.at("total").as_int64(), 1);
  EXPECT_TRUE(
      std::regex_match(std::string(list.body.at("vouchers").as_array()[0].at("code").as_string()),
                       std::regex("SUM-[0-9a-zA-Z]{4}")));
}

TEST_F(CampaignTest, ManyCodesAreGeneratedByAnAsyncAction) {
  auto r = call("POST", "/v1/campaigns", coupon("Many", 300));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("creation_status").as_string(), "IN_PROGRESS");
  const std::string action(r.body.at("async_action_id").as_string());
  auto done = wait_for(action);
  EXPECT_EQ(done.at("status").as_string(), "DONE");
  EXPECT_EQ(done.at("type").as_string(), "CAMPAIGN.VOUCHERS_GENERATE");
  EXPECT_EQ(done.at("progress").as_int64(), 100);
  EXPECT_EQ(done.at("object").as_string(), "async_action");
  auto campaign = call("GET", "/v1/campaigns/Many");
  EXPECT_EQ(campaign.body.at("vouchers_count").as_int64(), 300);
  EXPECT_EQ(campaign.body.at("creation_status").as_string(), "DONE");

  std::set<std::string> codes;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto list = call("GET", "/v1/vouchers?campaign=Many&limit=100" +
                                (cursor.empty() ? "" : "&starting_after_id=" + cursor));
    ASSERT_EQ(list.status, 200);
    for (const auto& v : list.body.at("vouchers").as_array()) {
      const std::string code(v.at("code").as_string());
      EXPECT_TRUE(std::regex_match(code, std::regex("SUM-[0-9a-zA-Z]{4}"))) << code;
      EXPECT_EQ(v.at("discount").at("percent_off").as_int64(), 10) << "inherited from template";
      EXPECT_EQ(v.at("redemption").at("quantity").as_int64(), 1);
      codes.insert(code);
    }
    if (!list.body.at("has_more").as_bool()) break;
    cursor = std::string(list.body.at("more_starting_after").as_string());
  }
  EXPECT_EQ(codes.size(), 300u) << "every code distinct";
  auto actions = call("GET", "/v1/async-actions");
  EXPECT_EQ(actions.body.at("data_ref").as_string(), "async_actions");
  EXPECT_EQ(actions.body.at("async_actions").as_array().size(), 1u);
}

TEST_F(CampaignTest, BadInputCreatesNothing) {
  const int64_t before = campaign_count();
  expect_error(call("POST", "/v1/campaigns", R"({"name":"x","campaign_type":"RAFFLE"})"), 400,
               "invalid_campaign_params");
  expect_error(call("POST", "/v1/campaigns",
                    R"({"name":"x","campaign_type":"DISCOUNT_COUPONS","vouchers_count":2})"),
               400, "invalid_campaign");
  expect_error(
      call("POST", "/v1/campaigns",
           R"({"name":"x","campaign_type":"GIFT_VOUCHERS","voucher":{"gift":{"amount":0}}})"),
      400, "invalid_balance");
  expect_error(
      call("POST", "/v1/campaigns",
           R"({"name":"x","campaign_type":"GIFT_VOUCHERS","voucher":{"gift":{"amount":-5}}})"),
      400, "invalid_balance");
  expect_error(call("POST", "/v1/campaigns",
                    R"({"name":"x","campaign_type":"DISCOUNT_COUPONS","vouchers_count":100,)"
                    R"("voucher":{"discount":{"type":"AMOUNT","amount_off":5},)"
                    R"("code_config":{"pattern":"A-#","charset":"0123456789"}}})"),
               400, "invalid_code_config");
  expect_error(call("POST", "/v1/campaigns",
                    R"({"name":"x","campaign_type":"DISCOUNT_COUPONS",)"
                    R"("voucher":{"discount":{"type":"AMOUNT","amount_off":5},)"
                    R"("code_config":{"charset":"aa"}}})"),
               400, "invalid_code_config");
  expect_error(call("POST", "/v1/campaigns",
                    R"({"name":"x","campaign_type":"DISCOUNT_COUPONS",)"
                    R"("voucher":{"discount":{"type":"PERCENT","percent_off":150}}})"),
               400, "invalid_payload");
  expect_error(
      call(
          "POST", "/v1/campaigns",
          R"({"name":"x","campaign_type":"DISCOUNT_COUPONS","start_date":"2025-02-01",)"
          R"("expiration_date":"2025-01-01","voucher":{"discount":{"type":"AMOUNT","amount_off":5}}})"),
      400, "invalid_campaign_params");
  expect_error(call("POST", "/v1/campaigns",
                    R"({"name":"x","campaign_type":"DISCOUNT_COUPONS","start_date":"soon"})"),
               400, "invalid_payload");
  expect_error(call("POST", "/v1/campaigns",
                    R"({"name":"x","campaign_type":"DISCOUNT_COUPONS","vouchers_count":2000000,)"
                    R"("voucher":{"discount":{"type":"AMOUNT","amount_off":5}}})"),
               400, "invalid_campaign_params");
  ASSERT_EQ(call("POST", "/v1/campaigns", coupon("Taken", 0)).status, 200);
  expect_error(call("POST", "/v1/campaigns", coupon("Taken", 3)), 409, "duplicate_found");
  EXPECT_EQ(campaign_count(), before + 1);
  EXPECT_EQ(voucher_count(), 0);
  EXPECT_EQ(call("GET", "/v1/async-actions").body.at("total").as_int64(), 0);
}

TEST_F(CampaignTest, SummaryCountsVouchersCreatedAndDeleted) {
  const std::string id(call("POST", "/v1/campaigns", coupon("Sum", 3)).body.at("id").as_string());
  for (int i = 0;
       i < 200 && call("GET", "/v1/campaigns/Sum").body.at("vouchers_count").as_int64() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  call("POST", "/v1/campaigns/" + id + "/vouchers/SUM-GIVEN", "{}");
  EXPECT_EQ(call("DELETE", "/v1/vouchers/SUM-GIVEN").status, 204);
  auto summary = call("GET", "/v1/campaigns/" + id + "/summary");
  ASSERT_EQ(summary.status, 200) << json::serialize(summary.body);
  EXPECT_EQ(summary.body.at("object").as_string(), "campaign_summary");
  EXPECT_EQ(summary.body.at("campaign").at("id").as_string(), id);
  EXPECT_EQ(summary.body.at("vouchers_created").as_int64(), 4);
  EXPECT_EQ(summary.body.at("vouchers_deleted").as_int64(), 1);
  EXPECT_EQ(summary.body.at("redemptions").as_int64(), 0);
  auto before = call("GET", "/v1/campaigns/" + id + "/summary?end_date=2000-01-01");
  EXPECT_EQ(before.body.at("vouchers_created").as_int64(), 0);
  expect_error(call("GET", "/v1/campaigns/" + id + "/summary?start_date=yesterday"), 400,
               "invalid_query_params");
}

TEST_F(CampaignTest, GetUpdateEnableDisable) {
  const std::string id(call("POST", "/v1/campaigns", coupon("Edit", 0)).body.at("id").as_string());
  EXPECT_EQ(call("GET", "/v1/campaigns/Edit").body.at("id").as_string(), id);
  auto updated = call("PUT", "/v1/campaigns/" + id,
                      R"({"description":"Autumn sale","metadata":{"region":"US"},)"
                      R"("validity_day_of_week":[1,2],"voucher":{"redemption":{"quantity":5}}})");
  ASSERT_EQ(updated.status, 200) << json::serialize(updated.body);
  EXPECT_EQ(updated.body.at("description").as_string(), "Autumn sale");
  EXPECT_EQ(updated.body.at("metadata").at("region").as_string(), "US");
  EXPECT_EQ(updated.body.at("validity_day_of_week").as_array().size(), 2u);
  EXPECT_EQ(updated.body.at("voucher").at("redemption").at("quantity").as_int64(), 5);
  EXPECT_EQ(updated.body.at("voucher").at("code_config").at("pattern").as_string(), "SUM-####");
  EXPECT_TRUE(updated.body.as_object().contains("updated_at"));
  expect_error(call("PUT", "/v1/campaigns/" + id, R"({"name":"Renamed"})"), 400,
               "invalid_campaign_params");
  expect_error(call("PUT", "/v1/campaigns/" + id,
                    R"({"voucher":{"discount":{"type":"AMOUNT","amount_off":100}}})"),
               400, "invalid_campaign_params");
  expect_error(call("PUT", "/v1/campaigns/" + id, R"({"validity_day_of_week":[9]})"), 400,
               "invalid_payload");
  auto disabled = call("POST", "/v1/campaigns/" + id + "/disable", "{}");
  EXPECT_EQ(disabled.status, 200);
  EXPECT_TRUE(disabled.body.as_object().empty()) << "the contract answers {}";
  EXPECT_EQ(call("GET", "/v1/campaigns/" + id).body.at("active").as_bool(), false);
  EXPECT_EQ(call("POST", "/v1/campaigns/Edit/enable", "{}").status, 200);
  EXPECT_EQ(call("GET", "/v1/campaigns/" + id).body.at("active").as_bool(), true);
  expect_error(call("GET", "/v1/campaigns/nope"), 404, "not_found");
  auto list = call("GET", "/v1/campaigns?campaign_type=DISCOUNT_COUPONS");
  EXPECT_EQ(list.body.at("data_ref").as_string(), "campaigns");
  EXPECT_EQ(list.body.at("total").as_int64(), 1);
  EXPECT_EQ(call("GET", "/v1/campaigns?campaign_type=PROMOTION").body.at("total").as_int64(), 0);
}

TEST_F(CampaignTest, DeleteToBinKeepsNamesAndCodesReserved) {
  auto created = call("POST", "/v1/campaigns", coupon("Binned", 1));
  const std::string id(created.body.at("id").as_string());
  const std::string code(call("GET", "/v1/vouchers?campaign=Binned")
                             .body.at("vouchers")
                             .as_array()[0]
                             .at("code")
                             .as_string());
  auto deleted = call("DELETE", "/v1/campaigns/" + id);
  EXPECT_EQ(deleted.status, 202);
  const std::string action(deleted.body.at("async_action_id").as_string());
  EXPECT_EQ(call("GET", "/v1/async-actions/" + action).body.at("status").as_string(), "DONE");
  expect_error(call("GET", "/v1/campaigns/" + id), 404, "not_found");
  expect_error(call("GET", "/v1/vouchers/" + code), 404, "not_found");
  expect_error(call("POST", "/v1/campaigns", coupon("Binned", 0)), 409, "duplicate_found");
  expect_error(call("POST", "/v1/vouchers/" + code,
                    R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1}})"),
               409, "duplicate_found");

  // A binned campaign can still be deleted for good, which frees its name.
  EXPECT_EQ(call("DELETE", "/v1/campaigns/" + id + "?force=true").status, 202);
  EXPECT_EQ(call("POST", "/v1/campaigns", coupon("Binned", 0)).status, 200);

  auto forced = call("POST", "/v1/campaigns", coupon("Forced", 1));
  const std::string forced_code(call("GET", "/v1/vouchers?campaign=Forced")
                                    .body.at("vouchers")
                                    .as_array()[0]
                                    .at("code")
                                    .as_string());
  EXPECT_EQ(call("DELETE", "/v1/campaigns/Forced?force=true").status, 202);
  EXPECT_EQ(call("POST", "/v1/campaigns", coupon("Forced", 0)).status, 200) << "name reusable";
  EXPECT_EQ(call("POST", "/v1/vouchers/" + forced_code,
                 R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1}})")
                .status,
            200)
      << "code reusable";
}

TEST_F(CampaignTest, AddVouchersToACampaign) {
  const std::string id(call("POST", "/v1/campaigns", coupon("Grow", 0)).body.at("id").as_string());
  auto one = call("POST", "/v1/campaigns/" + id + "/vouchers", R"({"metadata":{"batch":1}})");
  ASSERT_EQ(one.status, 200) << json::serialize(one.body);
  EXPECT_EQ(one.body.at("campaign_id").as_string(), id);
  EXPECT_EQ(one.body.at("campaign").as_string(), "Grow");
  EXPECT_EQ(one.body.at("metadata").at("batch").as_int64(), 1);
  EXPECT_TRUE(std::regex_match(std::string(one.body.at("code").as_string()),
                               std::regex("SUM-[0-9a-zA-Z]{4}")));
  auto given = call("POST", "/v1/campaigns/" + id + "/vouchers/MY-CODE", "{}");
  ASSERT_EQ(given.status, 200);
  EXPECT_EQ(given.body.at("code").as_string(), "MY-CODE");
  expect_error(call("POST", "/v1/campaigns/" + id + "/vouchers/MY-CODE", "{}"), 409,
               "duplicate_found");
  auto many = call("POST", "/v1/campaigns/" + id + "/vouchers?vouchers_count=20", "");
  ASSERT_EQ(many.status, 202);
  EXPECT_EQ(
      wait_for(std::string(many.body.at("async_action_id").as_string())).at("status").as_string(),
      "DONE");
  EXPECT_EQ(call("GET", "/v1/campaigns/" + id).body.at("vouchers_count").as_int64(), 22);
  EXPECT_EQ(call("GET", "/v1/vouchers?campaign_id=" + id).body.at("total").as_int64(), 22);
  // Deleting a code, to the bin or for good, counts it off once.
  EXPECT_EQ(call("DELETE", "/v1/vouchers/MY-CODE").status, 204);
  EXPECT_EQ(call("GET", "/v1/campaigns/" + id).body.at("vouchers_count").as_int64(), 21);
  const std::string other(call("GET", "/v1/vouchers?campaign_id=" + id + "&limit=1")
                              .body.at("vouchers")
                              .as_array()[0]
                              .at("code")
                              .as_string());
  EXPECT_EQ(call("DELETE", "/v1/vouchers/" + other + "?force=true").status, 204);
  EXPECT_EQ(call("GET", "/v1/campaigns/" + id).body.at("vouchers_count").as_int64(), 20);
  expect_error(call("POST", "/v1/campaigns/" + id + "/vouchers?vouchers_count=x", ""), 400,
               "invalid_query_params");
}

TEST_F(CampaignTest, StandaloneVouchers) {
  auto random = call("POST", "/v1/vouchers/",
                     R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":2000},)"
                     R"("redemption":{"quantity":1}})");
  ASSERT_EQ(random.status, 200) << json::serialize(random.body);
  EXPECT_TRUE(random.body.at("campaign").is_null());
  EXPECT_EQ(random.body.at("code").as_string().size(), 8u);
  EXPECT_EQ(random.body.at("object").as_string(), "voucher");
  EXPECT_TRUE(random.body.at("id").as_string().starts_with("v_"));

  auto fixed = call("POST", "/v1/vouchers/WELCOME10",
                    R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"PERCENT","percent_off":10},)"
                    R"("metadata":{"a":1},"start_date":"2026-01-01T00:00:00Z"})");
  ASSERT_EQ(fixed.status, 200);
  EXPECT_EQ(fixed.body.at("start_date").as_string(), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(call("GET", "/v1/vouchers/WELCOME10").body.at("id"), fixed.body.at("id"));
  EXPECT_EQ(call("GET", "/v1/vouchers/" + std::string(fixed.body.at("id").as_string()))
                .body.at("code")
                .as_string(),
            "WELCOME10")
      << "lookup by id too";
  expect_error(call("GET", "/v1/vouchers/welcome10"), 404, "not_found");  // case-sensitive project

  auto merged = call("PUT", "/v1/vouchers/WELCOME10", R"({"code":"WELCOME10","metadata":{"b":2}})");
  ASSERT_EQ(merged.status, 200);
  EXPECT_EQ(merged.body.at("metadata").at("a").as_int64(), 1);
  EXPECT_EQ(merged.body.at("metadata").at("b").as_int64(), 2);
  EXPECT_EQ(call("POST", "/v1/vouchers/WELCOME10/disable", "{}").body.at("active").as_bool(),
            false);
  EXPECT_EQ(call("POST", "/v1/vouchers/WELCOME10/enable", "{}").body.at("active").as_bool(), true);

  expect_error(call("POST", "/v1/vouchers/X1", R"({"type":"DISCOUNT_VOUCHER"})"), 400,
               "invalid_voucher");
  expect_error(call("POST", "/v1/vouchers/X1", R"({"type":"GIFT_VOUCHER","gift":{"amount":0}})"),
               400, "invalid_balance");
  expect_error(call("POST", "/v1/vouchers/X1", R"({"type":"COUPON"})"), 400, "invalid_voucher");
  expect_error(call("POST", "/v1/vouchers/%20X", R"({"type":"DISCOUNT_VOUCHER"})"), 400,
               "invalid_voucher");

  EXPECT_EQ(call("DELETE", "/v1/vouchers/WELCOME10").status, 204);
  expect_error(call("GET", "/v1/vouchers/WELCOME10"), 404, "not_found");
  expect_error(call("POST", "/v1/vouchers/WELCOME10",
                    R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1}})"),
               409, "duplicate_found");
}

TEST_F(CampaignTest, GiftBalanceNeverGoesNegativeUnderConcurrency) {
  auto gift =
      call("POST", "/v1/vouchers/GIFT-1", R"({"type":"GIFT_VOUCHER","gift":{"amount":10000}})");
  ASSERT_EQ(gift.status, 200);
  EXPECT_EQ(gift.body.at("gift").at("balance").as_int64(), 10000);
  auto adjusted = call("POST", "/v1/vouchers/GIFT-1/balance", R"({"amount":-500,"reason":"fix"})");
  ASSERT_EQ(adjusted.status, 200);
  EXPECT_EQ(adjusted.body.at("amount").as_int64(), -500);
  EXPECT_EQ(adjusted.body.at("total").as_int64(), 10000);
  EXPECT_EQ(adjusted.body.at("balance").as_int64(), 9500);
  EXPECT_EQ(adjusted.body.at("type").as_string(), "gift_voucher");
  EXPECT_EQ(adjusted.body.at("object").as_string(), "balance");
  auto added = call("POST", "/v1/vouchers/GIFT-1/balance", R"({"amount":500})");
  EXPECT_EQ(added.body.at("total").as_int64(), 10500);
  EXPECT_EQ(added.body.at("balance").as_int64(), 10000);
  expect_error(call("POST", "/v1/vouchers/GIFT-1/balance", R"({"amount":-10001})"), 400,
               "invalid_add_balance_params");
  expect_error(call("POST", "/v1/vouchers/GIFT-1/balance", R"({})"), 400, "invalid_payload");

  // 8 threads x 20 withdrawals of 100 = 16,000 asked of a 10,000 balance: exactly 100 succeed.
  std::atomic<int> succeeded{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (call("POST", "/v1/vouchers/GIFT-1/balance", R"({"amount":-100})").status == 200) {
          ++succeeded;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(succeeded.load(), 100);
  EXPECT_EQ(call("GET", "/v1/vouchers/GIFT-1").body.at("gift").at("balance").as_int64(), 0);

  // Every successful change left exactly one transaction, written with it.
  auto txs = call("GET", "/v1/vouchers/GIFT-1/transactions?limit=5");
  ASSERT_EQ(txs.status, 200);
  EXPECT_EQ(txs.body.at("data_ref").as_string(), "data");
  EXPECT_EQ(txs.body.at("total").as_int64(), 102);
  EXPECT_TRUE(txs.body.at("has_more").as_bool());
  // Each of the 100 withdrawals left a distinct balance: 9900, 9800, ..., 0.
  std::set<int64_t> balances;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    auto list = call("GET", "/v1/vouchers/GIFT-1/transactions?limit=100" +
                                (cursor.empty() ? "" : "&starting_after_id=" + cursor))
                    .body;
    for (const auto& t : list.at("data").as_array()) {
      EXPECT_TRUE(t.at("id").as_string().starts_with("vtx_"));
      const auto& b = t.at("details").at("balance");
      if (b.at("amount").as_int64() == -100) balances.insert(b.at("balance").as_int64());
    }
    if (!list.at("has_more").as_bool()) break;
    cursor = std::string(list.at("more_starting_after").as_string());
  }
  ASSERT_EQ(balances.size(), 100u);
  EXPECT_EQ(*balances.begin(), 0);
  EXPECT_EQ(*balances.rbegin(), 9900);
  auto oldest = call("GET", "/v1/vouchers/GIFT-1/transactions?order=created_at&limit=2").body;
  const auto& first = oldest.at("data").as_array()[0].as_object();
  EXPECT_FALSE(first.contains("amount")) << "the amount lives in details.balance";
  EXPECT_EQ(first.at("reason").as_string(), "fix");
  EXPECT_EQ(first.at("details").at("balance").at("amount").as_int64(), -500);
  EXPECT_EQ(first.at("details").at("balance").at("balance").as_int64(), 9500);
  EXPECT_EQ(oldest.at("data").as_array()[1].at("type").as_string(), "CREDITS_ADDITION");
}

TEST_F(CampaignTest, VoucherListsFilterAndPage) {
  // Created back to back, within a millisecond: ids still order them.
  call("POST", "/v1/campaigns", coupon("A", 1));
  call("POST", "/v1/campaigns", coupon("B", 1));
  call("POST", "/v1/vouchers/GIFT-9", R"({"type":"GIFT_VOUCHER","gift":{"amount":100}})");
  EXPECT_EQ(call("GET", "/v1/vouchers").body.at("total").as_int64(), 3);
  EXPECT_EQ(call("GET", "/v1/vouchers?campaign=A").body.at("total").as_int64(), 1);
  EXPECT_EQ(call("GET", "/v1/vouchers?campaign=Nope").body.at("total").as_int64(), 0);
  EXPECT_EQ(call("GET", "/v1/vouchers?filters[type][conditions][$is]=GIFT_VOUCHER")
                .body.at("total")
                .as_int64(),
            1);
  EXPECT_EQ(call("GET", "/v1/vouchers?filters[code][conditions][$starts_with]=SUM-")
                .body.at("total")
                .as_int64(),
            2);
  expect_error(call("GET", "/v1/vouchers?filters[secret][conditions][$is]=1"), 400,
               "invalid_query_params");
  auto newest = call("GET", "/v1/vouchers?limit=1");
  EXPECT_EQ(newest.body.at("vouchers").as_array()[0].at("code").as_string(), "GIFT-9")
      << "newest first by default";
  auto oldest = call("GET", "/v1/vouchers?limit=1&order=created_at");
  EXPECT_EQ(oldest.body.at("vouchers").as_array()[0].at("campaign").as_string(), "A");
}

TEST_F(CampaignTest, ImportReportsBadLinesAndImportsTheRest) {
  call("POST", "/v1/vouchers/TAKEN",
       R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1}})");
  auto r = call(
      "POST", "/v1/vouchers/import",
      R"([{"code":"IMP-1","type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":3000},)"
      R"("redemption":{"quantity":1},"metadata":{"unit":"EUR"}},)"
      R"({"code":"IMP-2","type":"GIFT_VOUCHER","gift":{"amount":5000}},)"
      R"({"code":"TAKEN","type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1}},)"
      R"({"code":"IMP-4","type":"DISCOUNT_VOUCHER","discount":{"type":"PERCENT","percent_off":300}},)"
      R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1}},)"
      R"(42])");
  ASSERT_EQ(r.status, 202) << json::serialize(r.body);
  auto action = wait_for(std::string(r.body.at("async_action_id").as_string()));
  EXPECT_EQ(action.at("type").as_string(), "VOUCHERS.IMPORT");
  EXPECT_EQ(action.at("result").at("done_count").as_int64(), 2);
  EXPECT_EQ(action.at("result").at("failed_count").as_int64(), 4);
  const auto& failed = action.at("result").at("failed").as_array();
  ASSERT_EQ(failed.size(), 4u);
  EXPECT_EQ(failed[0].at("code").as_string(), "TAKEN");
  EXPECT_NE(std::string(failed[0].at("reason").as_string()).find("already exists"),
            std::string::npos);
  EXPECT_EQ(failed[1].at("code").as_string(), "IMP-4");
  EXPECT_EQ(call("GET", "/v1/vouchers/IMP-1").body.at("metadata").at("unit").as_string(), "EUR");
  EXPECT_EQ(call("GET", "/v1/vouchers/IMP-2").body.at("gift").at("balance").as_int64(), 5000);
  expect_error(call("GET", "/v1/vouchers/IMP-4"), 404, "not_found");

  // Into a campaign: items inherit its template.
  call("POST", "/v1/campaigns", coupon("Target", 0));
  auto into = call("POST", "/v1/campaigns/Target/import",
                   R"([{"code":"CAMP-1"},{"code":"CAMP-2","redemption":{"quantity":3}}])");
  ASSERT_EQ(into.status, 202);
  auto done = wait_for(std::string(into.body.at("async_action_id").as_string()));
  EXPECT_EQ(done.at("type").as_string(), "CAMPAIGN.VOUCHERS_IMPORT");
  EXPECT_EQ(done.at("result").at("done_count").as_int64(), 2);
  auto v = call("GET", "/v1/vouchers/CAMP-2").body;
  EXPECT_EQ(v.at("campaign").as_string(), "Target");
  EXPECT_EQ(v.at("discount").at("percent_off").as_int64(), 10);
  EXPECT_EQ(v.at("redemption").at("quantity").as_int64(), 3);
  EXPECT_EQ(call("GET", "/v1/campaigns/Target").body.at("vouchers_count").as_int64(), 2);

  expect_error(call("POST", "/v1/vouchers/import", R"({"code":"x"})"), 400, "invalid_payload");
  expect_error(call("POST", "/v1/vouchers/import", "[]"), 400, "invalid_payload");
  expect_error(call("POST", "/v1/campaigns/Nope/import", R"([{"code":"x"}])"), 404, "not_found");
}

TEST_F(CampaignTest, CsvImportFromAMultipartUpload) {
  const std::string csv =
      "Code,Voucher Type,Discount Type,Value,Redemption Limit,Active,Expiration Date,Region\r\n"
      "CSV-1,DISCOUNT_VOUCHER,PERCENT,15,1,true,2030-01-01T00:00:00Z,EU\r\n"
      "CSV-2,GIFT_VOUCHER,,2500,,,,\r\n"
      "CSV-3,DISCOUNT_VOUCHER,AMOUNT,abc,,,,\r\n"
      "\"CSV,4\",DISCOUNT_VOUCHER,AMOUNT,100,,maybe,,\r\n";
  const std::string body =
      "--B0undary\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"vouchers.csv\"\r\nContent-Type: text/csv\r\n\r\n" +
      csv + "\r\n--B0undary--\r\n";
  auto r = call("POST", "/v1/vouchers/importCSV", body, "multipart/form-data; boundary=B0undary");
  ASSERT_EQ(r.status, 202) << json::serialize(r.body);
  auto action = wait_for(std::string(r.body.at("async_action_id").as_string()));
  EXPECT_EQ(action.at("result").at("done_count").as_int64(), 2) << json::serialize(action);
  EXPECT_EQ(action.at("result").at("failed_count").as_int64(), 2);
  auto v1 = call("GET", "/v1/vouchers/CSV-1").body;
  EXPECT_EQ(v1.at("discount").at("type").as_string(), "PERCENT");
  EXPECT_EQ(v1.at("discount").at("percent_off").as_int64(), 15);
  EXPECT_EQ(v1.at("redemption").at("quantity").as_int64(), 1);
  EXPECT_EQ(v1.at("metadata").at("region").as_string(), "EU");
  EXPECT_EQ(v1.at("expiration_date").as_string(), "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(call("GET", "/v1/vouchers/CSV-2").body.at("gift").at("amount").as_int64(), 2500);

  // The campaign variant, and the errors around it.
  call("POST", "/v1/campaigns", coupon("CsvTarget", 0));
  const std::string codes =
      "--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
      "Code\nCT-1\nCT-2\n\r\n--B--\r\n";
  auto into =
      call("POST", "/v1/campaigns/CsvTarget/importCSV", codes, "multipart/form-data; boundary=B");
  ASSERT_EQ(into.status, 200);
  EXPECT_EQ(wait_for(std::string(into.body.at("async_action_id").as_string()))
                .at("result")
                .at("done_count")
                .as_int64(),
            2);
  EXPECT_EQ(call("GET", "/v1/vouchers/CT-2").body.at("campaign").as_string(), "CsvTarget");
  expect_error(call("POST", "/v1/vouchers/importCSV", "Code\nX\n", "text/csv"), 415,
               "unsupported_media_type");
  expect_error(call("POST", "/v1/vouchers/importCSV",
                    "--B\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--B--",
                    "multipart/form-data; boundary=B"),
               400, "invalid_payload");
  expect_error(call("POST", "/v1/vouchers/importCSV",
                    "--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nName\nX\r\n--B--",
                    "multipart/form-data; boundary=B"),
               400, "invalid_payload");
  expect_error(call("POST", "/v1/vouchers", "--B--", "multipart/form-data; boundary=B"), 415,
               "unsupported_media_type");
}

TEST_F(CampaignTest, CustomersUpsertBySourceId) {
  auto created = call("POST", "/v1/customers",
                      R"({"source_id":"bob","name":"Bob","email":"bob@example.com",)"
                      R"("metadata":{"lang":"en"},"address":{"city":"Oslo"}})");
  ASSERT_EQ(created.status, 200) << json::serialize(created.body);
  const std::string id(created.body.at("id").as_string());
  EXPECT_TRUE(id.starts_with("cust_"));
  EXPECT_EQ(created.body.at("object").as_string(), "customer");
  EXPECT_EQ(created.body.at("summary").at("orders").at("total_count").as_int64(), 0);
  EXPECT_FALSE(created.body.as_object().contains("updated_at"));

  // The same source_id again updates the same customer and merges metadata.
  auto again = call("POST", "/v1/customers", R"({"source_id":"bob","metadata":{"tier":"gold"}})");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body.at("id").as_string(), id);
  EXPECT_EQ(again.body.at("name").as_string(), "Bob");
  EXPECT_EQ(again.body.at("metadata").at("lang").as_string(), "en");
  EXPECT_EQ(again.body.at("metadata").at("tier").as_string(), "gold");
  EXPECT_EQ(again.body.at("address").at("city").as_string(), "Oslo");
  EXPECT_TRUE(again.body.as_object().contains("updated_at"));

  // Path by id or by source_id; source_id cannot change.
  EXPECT_EQ(call("GET", "/v1/customers/bob").body.at("id").as_string(), id);
  auto renamed = call("PUT", "/v1/customers/bob", R"({"source_id":"bob","name":"Robert"})");
  EXPECT_EQ(renamed.body.at("name").as_string(), "Robert");
  expect_error(call("PUT", "/v1/customers/" + id, R"({"source_id":"other"})"), 400,
               "invalid_customer");
  expect_error(call("POST", "/v1/customers", R"({"source_id":"x","email":"nope"})"), 400,
               "invalid_customer");
  expect_error(call("POST", "/v1/customers", R"({"source_id":"x","birthdate":"1990-13-40"})"), 400,
               "invalid_customer");

  // 50 identical upserts at once: one customer.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&] {
      if (call("POST", "/v1/customers", R"({"source_id":"rush","name":"Rush"})").status == 200)
        ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 50);
  auto list = call("GET", "/v1/customers?source_id=rush");
  EXPECT_EQ(list.body.at("data_ref").as_string(), "customers");
  EXPECT_EQ(list.body.at("total").as_int64(), 1);
  EXPECT_EQ(call("GET", "/v1/customers?email=bob@example.com").body.at("total").as_int64(), 1);
  EXPECT_EQ(call("GET", "/v1/customers").body.at("total").as_int64(), 2);

  // Without a source_id every POST is a new customer.
  call("POST", "/v1/customers", R"({"name":"Anon"})");
  call("POST", "/v1/customers", R"({"name":"Anon"})");
  EXPECT_EQ(call("GET", "/v1/customers?name=Anon").body.at("total").as_int64(), 2);

  EXPECT_EQ(call("DELETE", "/v1/customers/bob").status, 204);
  expect_error(call("GET", "/v1/customers/" + id), 404, "not_found");
}

TEST_F(CampaignTest, ProductsAndSkus) {
  auto p = call("POST", "/v1/products",
                R"({"source_id":"phone","name":"Phone","price":20000,"attributes":["color"],)"
                R"("metadata":{"vendor":"A"}})");
  ASSERT_EQ(p.status, 200) << json::serialize(p.body);
  const std::string pid(p.body.at("id").as_string());
  EXPECT_TRUE(pid.starts_with("prod_"));
  EXPECT_EQ(p.body.at("skus").at("total").as_int64(), 0);
  EXPECT_EQ(p.body.at("object").as_string(), "product");

  auto sku = call("POST", "/v1/products/" + pid + "/skus",
                  R"({"source_id":"phone-red","sku":"Red phone","price":21000,"currency":"USD",)"
                  R"("attributes":{"color":"red"}})");
  ASSERT_EQ(sku.status, 200) << json::serialize(sku.body);
  const std::string sid(sku.body.at("id").as_string());
  EXPECT_EQ(sku.body.at("product_id").as_string(), pid);
  EXPECT_EQ(call("GET", "/v1/skus/phone-red").body.at("id").as_string(), sid);
  auto repriced = call("PUT", "/v1/products/" + pid + "/skus/" + sid, R"({"price":19000})");
  EXPECT_EQ(repriced.body.at("price").as_int64(), 19000);
  EXPECT_EQ(repriced.body.at("attributes").at("color").as_string(), "red");
  auto skus = call("GET", "/v1/products/" + pid + "/skus");
  EXPECT_EQ(skus.body.at("data_ref").as_string(), "data");
  EXPECT_EQ(skus.body.at("skus").as_array().size(), 1u);

  // Upsert by source_id, and PUT by source_id.
  auto again = call("POST", "/v1/products", R"({"source_id":"phone","price":18000})");
  EXPECT_EQ(again.body.at("id").as_string(), pid);
  EXPECT_EQ(again.body.at("name").as_string(), "Phone");
  EXPECT_EQ(again.body.at("price").as_int64(), 18000);
  EXPECT_EQ(again.body.at("skus").at("total").as_int64(), 1);
  EXPECT_EQ(call("PUT", "/v1/products/phone", R"({"source_id":"phone","metadata":{"x":1}})")
                .body.at("metadata")
                .at("vendor")
                .as_string(),
            "A");
  EXPECT_EQ(call("GET", "/v1/products?limit=10").body.at("data_ref").as_string(), "products");
  expect_error(call("POST", "/v1/products", R"({"name":"Bad","price":-1})"), 400,
               "invalid_product");
  expect_error(
      call("POST", "/v1/products/" + pid + "/skus", R"({"source_id":"phone-red","sku":"Dup"})"),
      409, "duplicate_found");

  EXPECT_EQ(call("DELETE", "/v1/products/" + pid + "/skus/" + sid + "?force=true").status, 204);
  expect_error(call("GET", "/v1/skus/" + sid), 404, "not_found");
  EXPECT_EQ(call("DELETE", "/v1/products/" + pid + "?force=true").status, 204);
  expect_error(call("GET", "/v1/products/" + pid), 404, "not_found");
}

TEST_F(CampaignTest, PromotionCampaignsWithTiers) {
  auto created =
      call("POST", "/v1/campaigns",
           R"({"name":"Promo","campaign_type":"PROMOTION","promotion":{"tiers":[)"
           R"({"name":"10% off","banner":"Get 10%","action":{"discount":)"
           R"({"type":"PERCENT","percent_off":10,"effect":"APPLY_TO_ORDER"}}},)"
           R"({"name":"$5 off","action":{"discount":{"type":"AMOUNT","amount_off":500}}}]}})");
  ASSERT_EQ(created.status, 200) << json::serialize(created.body);
  const std::string campaign(created.body.at("id").as_string());
  const auto& promotion = created.body.at("promotion").as_object();
  EXPECT_EQ(promotion.at("data_ref").as_string(), "tiers");
  ASSERT_EQ(promotion.at("tiers").as_array().size(), 2u);
  const auto& first = promotion.at("tiers").as_array()[0].as_object();
  EXPECT_TRUE(first.at("id").as_string().starts_with("promo_"));
  EXPECT_EQ(first.at("hierarchy").as_int64(), 1);
  EXPECT_EQ(first.at("object").as_string(), "promotion_tier");
  EXPECT_EQ(first.at("campaign_id").as_string(), campaign);
  EXPECT_FALSE(created.body.as_object().contains("voucher"));

  auto added = call("POST", "/v1/promotions/" + campaign + "/tiers",
                    R"({"name":"Big order","banner":"Order more than $100",)"
                    R"("action":{"discount":{"type":"AMOUNT","amount_off":3000}},)"
                    R"("metadata":{"level":"A"},"validity_day_of_week":[1,2,3]})");
  ASSERT_EQ(added.status, 200) << json::serialize(added.body);
  const std::string tier(added.body.at("id").as_string());
  EXPECT_EQ(added.body.at("hierarchy").as_int64(), 3) << "after the campaign's last tier";
  EXPECT_EQ(added.body.at("campaign").at("id").as_string(), campaign);

  auto list = call("GET", "/v1/promotions/" + campaign + "/tiers");
  EXPECT_EQ(list.body.at("data_ref").as_string(), "tiers");
  EXPECT_EQ(list.body.at("total").as_int64(), 3);
  auto updated = call("PUT", "/v1/promotions/tiers/" + tier,
                      R"({"id":")" + tier + R"(","banner":"New banner","hierarchy":1})");
  ASSERT_EQ(updated.status, 200);
  EXPECT_EQ(updated.body.at("banner").as_string(), "New banner");
  EXPECT_EQ(updated.body.at("name").as_string(), "Big order");
  EXPECT_EQ(
      call("POST", "/v1/promotions/tiers/" + tier + "/disable", "{}").body.at("active").as_bool(),
      false);
  EXPECT_EQ(call("GET", "/v1/promotions/tiers?is_available=true").body.at("total").as_int64(), 2);
  EXPECT_EQ(
      call("POST", "/v1/promotions/tiers/" + tier + "/enable", "{}").body.at("active").as_bool(),
      true);
  // A tier without an action is valid (issue 18: the reference accepts it; it gives nothing).
  const auto no_action =
      call("POST", "/v1/promotions/" + campaign + "/tiers", R"({"name":"No action"})");
  ASSERT_EQ(no_action.status, 200);
  EXPECT_TRUE(no_action.body.at("action").is_null());
  expect_error(call("POST", "/v1/promotions/" + campaign + "/tiers",
                    R"({"name":"Bad","action":{"discount":{"type":"FREE"}}})"),
               400, "invalid_payload");

  // Stacks: ordered tiers of this campaign only.
  const std::string t1(promotion.at("tiers").as_array()[0].at("id").as_string());
  auto stack = call("POST", "/v1/promotions/" + campaign + "/stacks",
                    R"({"name":"First stack","tiers":{"ids":[")" + tier + R"(",")" + t1 +
                        R"("],"hierarchy_mode":"MANUAL"}})");
  ASSERT_EQ(stack.status, 200) << json::serialize(stack.body);
  const std::string stack_id(stack.body.at("id").as_string());
  EXPECT_TRUE(stack_id.starts_with("stack_"));
  EXPECT_EQ(stack.body.at("tiers").at("ids").as_array()[0].as_string(), tier);
  EXPECT_EQ(stack.body.at("object").as_string(), "promotion_stack");
  EXPECT_EQ(call("GET", "/v1/promotions/" + campaign + "/stacks/" + stack_id).status, 200);
  EXPECT_EQ(call("GET", "/v1/promotions/stacks").body.at("total").as_int64(), 1);
  expect_error(call("POST", "/v1/promotions/" + campaign + "/stacks",
                    R"({"name":"Dup","tiers":{"ids":[")" + tier + R"(",")" + tier + R"("]}})"),
               400, "invalid_payload");
  expect_error(call("POST", "/v1/promotions/" + campaign + "/stacks",
                    R"({"name":"Ghost","tiers":{"ids":["promo_missing"]}})"),
               404, "not_found");
  expect_error(call("DELETE", "/v1/promotions/tiers/" + tier), 400, "resource_in_use");
  auto renamed = call("PUT", "/v1/promotions/" + campaign + "/stacks/" + stack_id,
                      R"({"name":"Renamed","tiers":{"ids":[")" + t1 + R"("]}})");
  EXPECT_EQ(renamed.body.at("name").as_string(), "Renamed");
  EXPECT_EQ(call("DELETE", "/v1/promotions/tiers/" + tier).status, 204);
  expect_error(call("GET", "/v1/promotions/tiers/" + tier), 404, "not_found");
  EXPECT_EQ(call("DELETE", "/v1/promotions/" + campaign + "/stacks/" + stack_id).status, 204);

  // Tiers belong to PROMOTION campaigns only, and a failing tier leaves no campaign behind.
  const std::string coupons(
      call("POST", "/v1/campaigns", coupon("Coupons", 0)).body.at("id").as_string());
  expect_error(call("POST", "/v1/promotions/" + coupons + "/tiers",
                    R"({"name":"x","action":{"discount":{"type":"AMOUNT","amount_off":1}}})"),
               400, "invalid_campaign_params");
  const int64_t before = campaign_count();
  expect_error(call("POST", "/v1/campaigns",
                    R"({"name":"Broken","campaign_type":"PROMOTION","promotion":{"tiers":[)"
                    R"({"name":"ok","action":{"discount":{"type":"AMOUNT","amount_off":1}}},)"
                    R"({"name":"bad","action":{"discount":{"type":"FREE"}}}]}})"),
               400, "invalid_payload");
  EXPECT_EQ(campaign_count(), before);
  expect_error(call("GET", "/v1/campaigns/Broken"), 404, "not_found");
}

}  // namespace
}  // namespace openpromo::api
