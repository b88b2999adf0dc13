// Redemption, rollback, session locks and idempotency against the real binary (issue 12): what
// a redemption consumes and records, every rollback rule of spec 9.5, reservations, retries, and
// bad input that writes nothing. The stored counters are checked against the rows afterwards.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <thread>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/shared_server_test.h"
#include "support/test_database.h"

namespace openpromo::testing {
namespace {

class RedemptionHttp : public SharedServerTest {
 protected:
  std::string unique(const std::string& prefix) {
    static int n = 0;
    return prefix + "-" + std::to_string(++n) + "-" + std::to_string(::getpid());
  }
  // A standalone discount code.
  std::string code(const std::string& prefix, const std::string& quantity = "null",
                   int64_t amount_off = 500) {
    const std::string c = unique(prefix);
    const auto r =
        post("/v1/vouchers/" + c,
             R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":)" +
                 std::to_string(amount_off) + R"(},"redemption":{"quantity":)" + quantity + "}}");
    EXPECT_EQ(r.status, 200) << r.body;
    return c;
  }
  std::string gift(const std::string& prefix, int64_t amount) {
    const std::string c = unique(prefix);
    const auto r = post("/v1/vouchers/" + c, R"({"type":"GIFT_VOUCHER","gift":{"amount":)" +
                                                 std::to_string(amount) + "}}");
    EXPECT_EQ(r.status, 200) << r.body;
    return c;
  }
  std::string rule(const std::string& rules) {
    const auto r = post("/v1/validation-rules",
                        R"({"name":")" + unique("rule") + R"(","rules":)" + rules + "}");
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().at("id").as_string());
  }
  void assign(const std::string& rule_id, const std::string& object, const std::string& id) {
    const auto r =
        post("/v1/validation-rules/" + rule_id + "/assignments",
             R"({"related_object_type":")" + object + R"(","related_object_id":")" + id + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
  }
  std::string voucher_id(const std::string& c) {
    return std::string(get("/v1/vouchers/" + c).json().at("id").as_string());
  }
  int64_t redeemed(const std::string& c) {
    return get("/v1/vouchers/" + c).json().at("redemption").at("redeemed_quantity").as_int64();
  }
  HttpResult redeem(const std::string& c, const std::string& customer, int64_t amount = 10000,
                    const std::string& extra = "") {
    return post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":")" + c +
                                       R"("}],"order":{"amount":)" + std::to_string(amount) +
                                       R"(},"customer":{"source_id":")" + customer + "\"}" + extra +
                                       "}");
  }
  std::string scalar(const std::string& sql) { return server()->database().scalar(sql); }
  int64_t count(const std::string& sql) {
    const std::string v = scalar(sql);
    return v.empty() ? 0 : std::stoll(v);
  }
};

TEST_F(RedemptionHttp, AStackedRedemptionRecordsParentChildrenOrderAndCounters) {
  const std::string a = code("STACK-A");
  const std::string b = code("STACK-B", "null", 300);
  const std::string customer = unique("cust");
  const auto r = post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":")" + a +
                                             R"("},{"object":"voucher","id":")" + b +
                                             R"("}],"order":{"source_id":")" + unique("order") +
                                             R"(","amount":10000},"customer":{"source_id":")" +
                                             customer + R"("},"metadata":{"channel":"pos"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  const auto& children = j.at("redemptions").as_array();
  ASSERT_EQ(children.size(), 2u);
  const auto& parent = j.at("parent_redemption").as_object();
  const std::string parent_id(parent.at("id").as_string());
  EXPECT_TRUE(parent_id.starts_with("r_"));
  EXPECT_EQ(parent.at("related_object_type").as_string(), "redemption");
  EXPECT_TRUE(parent.at("redemption").is_null());
  EXPECT_EQ(parent.at("related_redemptions").at("redemptions").as_array().size(), 2u);
  for (const auto& c : children) {
    EXPECT_EQ(c.at("redemption").as_string(), parent_id);
    EXPECT_EQ(c.at("result").as_string(), "SUCCESS");
    EXPECT_EQ(c.at("status").as_string(), "SUCCEEDED");
    EXPECT_EQ(c.at("related_object_type").as_string(), "voucher");
    EXPECT_EQ(c.at("metadata").at("channel").as_string(), "pos");
    EXPECT_EQ(c.at("customer").at("source_id").as_string(), customer);
  }
  const auto& order = j.at("order").as_object();
  EXPECT_EQ(order.at("status").as_string(), "PAID");
  EXPECT_EQ(order.at("total_discount_amount").as_int64(), 800);
  EXPECT_EQ(order.at("total_amount").as_int64(), 9200);
  const auto& entry = order.at("redemptions").at(parent_id);
  EXPECT_EQ(entry.at("stacked").as_array().size(), 2u);
  EXPECT_EQ(redeemed(a), 1);
  EXPECT_EQ(redeemed(b), 1);

  // The stored order and the customer's summary show it.
  const auto stored = get("/v1/orders/" + std::string(order.at("id").as_string()));
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.json().at("status").as_string(), "PAID");
  const auto summary = get("/v1/customers/" + customer).json().at("summary");
  EXPECT_EQ(summary.at("redemptions").at("total_succeeded").as_int64(), 2);
  EXPECT_EQ(summary.at("orders").at("total_count").as_int64(), 1);
  EXPECT_EQ(summary.at("orders").at("total_amount").as_int64(), 9200);

  // Events went to the outbox with the rows.
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox_events WHERE type = 'redemption.succeeded' AND"
                  " entity_id IN (SELECT id FROM redemptions WHERE parent_id = '" +
                  parent_id + "')"),
            2);
  // Read back: the redemption, the list filtered by customer, the voucher's entries.
  const auto got = get("/v1/redemptions/" + parent_id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json().at("related_redemptions").at("redemptions").as_array().size(), 2u);
  const std::string customer_id(children[0].at("customer_id").as_string());
  const auto listed = get("/v1/redemptions?result=SUCCESS&customer=" + customer_id + "&limit=10");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json().at("data_ref").as_string(), "redemptions");
  EXPECT_EQ(listed.json().at("total").as_int64(), 3);  // the parent and its two children
  // `order` sorts (the contract's list-redemptions), newest first here; it is not a filter.
  const auto newest = get("/v1/redemptions?customer=" + customer_id + "&order=-created_at");
  ASSERT_EQ(newest.status, 200) << newest.body;
  const auto newest_json = newest.json();
  EXPECT_EQ(newest_json.at("total").as_int64(), 3);
  const auto& sorted = newest_json.at("redemptions").as_array();
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_GE(sorted[0].at("date").as_string(), sorted[2].at("date").as_string());
  const auto by_order = get("/v1/redemptions?filters[order_id][conditions][$is]=" +
                            std::string(order.at("id").as_string()));
  ASSERT_EQ(by_order.status, 200) << by_order.body;
  EXPECT_EQ(by_order.json().at("total").as_int64(), 3);
  const auto entries = get("/v1/vouchers/" + a + "/redemption");
  ASSERT_EQ(entries.status, 200) << entries.body;
  EXPECT_EQ(entries.json().at("data_ref").as_string(), "redemption_entries");
  EXPECT_EQ(entries.json().at("redeemed_quantity").as_int64(), 1);
  EXPECT_EQ(entries.json().at("redemption_entries").as_array().size(), 1u);
}

TEST_F(RedemptionHttp, AUsedUpCodeFailsWithTheLimitAndTheFailureIsRecorded) {
  const std::string c = code("TWICE", "2");
  ASSERT_EQ(redeem(c, "q1").status, 200);
  ASSERT_EQ(redeem(c, "q2").status, 200);
  const auto third = redeem(c, "q3");
  expect_error(third, 400, "quantity_exceeded");
  const std::string failed(third.json().at("resource_id").as_string());
  EXPECT_TRUE(failed.starts_with("rf_")) << third.body;
  EXPECT_EQ(third.json().at("resource_type").as_string(), "redemption");
  EXPECT_EQ(redeemed(c), 2);
  const auto record = get("/v1/redemptions/" + failed);
  ASSERT_EQ(record.status, 200) << record.body;
  EXPECT_EQ(record.json().at("result").as_string(), "FAILURE");
  EXPECT_EQ(record.json().at("status").as_string(), "FAILED");
  EXPECT_EQ(record.json().at("failure_code").as_string(), "quantity_exceeded");
  // A validation sees the same.
  const auto v =
      post("/v1/validations", R"({"redeemables":[{"object":"voucher","id":")" + c + R"("}]})");
  EXPECT_FALSE(v.json().at("valid").as_bool()) << v.body;
}

TEST_F(RedemptionHttp, LegacyVoucherAndTierRedemptionsMakeOneRedemption) {
  const std::string c = code("LEGACY");
  const auto r = post("/v1/vouchers/" + c + "/redemption",
                      R"({"customer":{"source_id":"legacy-1"},"order":{"amount":2000}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("object").as_string(), "redemption");
  EXPECT_TRUE(r.json().at("redemption").is_null());
  EXPECT_EQ(r.json().at("voucher").at("code").as_string(), c);
  EXPECT_EQ(r.json().at("order").at("total_amount").as_int64(), 1500);
  EXPECT_EQ(redeemed(c), 1);

  const auto promo =
      post("/v1/campaigns", R"({"name":")" + unique("promo") + R"(","campaign_type":"PROMOTION"})");
  ASSERT_EQ(promo.status, 200);
  const auto tier =
      post("/v1/promotions/" + std::string(promo.json().at("id").as_string()) + "/tiers",
           R"({"name":"10 off","action":{"discount":{"type":"PERCENT","percent_off":10}}})");
  ASSERT_EQ(tier.status, 200) << tier.body;
  const std::string tier_id(tier.json().at("id").as_string());
  const auto t = post("/v1/promotions/tiers/" + tier_id + "/redemption",
                      R"({"customer":{"source_id":"legacy-1"},"order":{"amount":2000}})");
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.json().at("related_object_type").as_string(), "promotion_tier");
  EXPECT_EQ(t.json().at("promotion_tier").at("id").as_string(), tier_id);
  EXPECT_EQ(t.json().at("order").at("total_discount_amount").as_int64(), 200);
  const auto summary = get("/v1/promotions/tiers/" + tier_id).json().at("summary");
  EXPECT_EQ(summary.at("redemptions").at("total_redeemed").as_int64(), 1);
  EXPECT_EQ(summary.at("orders").at("total_discount_amount").as_int64(), 200);
  EXPECT_EQ(summary.at("orders").at("total_amount").as_int64(), 2000);
  // A disabled tier fails with its key and a failure record.
  ASSERT_EQ(post("/v1/promotions/tiers/" + tier_id + "/disable", "{}").status, 200);
  const auto off = post("/v1/promotions/tiers/" + tier_id + "/redemption",
                        R"({"customer":{"source_id":"legacy-1"},"order":{"amount":2000}})");
  expect_error(off, 400, "promotion_inactive");
  EXPECT_TRUE(std::string(off.json().at("resource_id").as_string()).starts_with("rf_"));
}

TEST_F(RedemptionHttp, PerCustomerAndBudgetLimitsCountWhatWasRedeemed) {
  const std::string once = code("ONCE-PER-CUSTOMER");
  assign(
      rule(
          R"({"1":{"name":"redemption.count.per_customer","conditions":{"$less_than_or_equal":[1]}}})"),
      "voucher", voucher_id(once));
  ASSERT_EQ(redeem(once, "pc-a").status, 200);
  expect_error(redeem(once, "pc-a"), 400, "redemption_rules_violated");
  ASSERT_EQ(redeem(once, "pc-b").status, 200) << "another customer has their own count";

  // A budget of 1,200 in discounts: two 500 discounts fit, a third would make 1,500.
  const std::string budget = code("BUDGET", "null", 500);
  assign(
      rule(
          R"({"1":{"name":"campaign.orders.amount_discounted","conditions":{"$less_than_or_equal":[1200]}}})"),
      "voucher", voucher_id(budget));
  ASSERT_EQ(redeem(budget, "b1").status, 200);
  ASSERT_EQ(redeem(budget, "b2").status, 200);
  expect_error(redeem(budget, "b3"), 400, "redemption_rules_violated");
  // The counter row says what the rows say.
  const std::string vid = voucher_id(budget);
  EXPECT_EQ(count("SELECT discount_amount FROM usage_counters WHERE row_key = 'c|" + vid + "'"),
            count("SELECT SUM(discount_amount) FROM redemptions WHERE related_object_id = '" + vid +
                  "' AND status = 'SUCCEEDED'"));

  // A daily limit per incentive.
  const std::string daily = code("DAILY");
  assign(
      rule(R"({"1":{"name":"redemption.count.daily","conditions":{"$less_than_or_equal":[2]}}})"),
      "voucher", voucher_id(daily));
  ASSERT_EQ(redeem(daily, "d1").status, 200);
  ASSERT_EQ(redeem(daily, "d2").status, 200);
  expect_error(redeem(daily, "d3"), 400, "redemption_rules_violated");
}

TEST_F(RedemptionHttp, AGiftCardSpendsCreditsAndARollbackRefundsThem) {
  const std::string g = gift("GIFT", 5000);
  const auto r =
      post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":")" + g +
                                  R"(","gift":{"credits":2000}}],"order":{"amount":10000},)"
                                  R"("customer":{"source_id":"gift-1"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("redemptions").at(0).at("amount").as_int64(), 2000);
  EXPECT_EQ(get("/v1/vouchers/" + g).json().at("gift").at("balance").as_int64(), 3000);
  const auto tx = get("/v1/vouchers/" + g + "/transactions");
  ASSERT_EQ(tx.status, 200) << tx.body;
  EXPECT_NE(tx.body.find("CREDITS_REDEMPTION"), std::string::npos) << tx.body;
  // More than is left fails.
  const auto over =
      post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":")" + g +
                                  R"(","gift":{"credits":3001}}],"order":{"amount":10000}})");
  expect_error(over, 400, "gift_amount_exceeded");
  const std::string parent(r.json().at("parent_redemption").at("id").as_string());
  const auto back = post("/v1/redemptions/" + parent + "/rollbacks", "{}");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.json().at("rollbacks").at(0).at("amount").as_int64(), -2000);
  EXPECT_EQ(get("/v1/vouchers/" + g).json().at("gift").at("balance").as_int64(), 5000);
  EXPECT_EQ(get("/v1/vouchers/" + g).json().at("gift").at("amount").as_int64(), 5000)
      << "a refund gives back what was spent, it adds nothing";
  EXPECT_NE(get("/v1/vouchers/" + g + "/transactions").body.find("CREDITS_REFUND"),
            std::string::npos);
}

TEST_F(RedemptionHttp, RollbackRulesOfSpec95) {
  const std::string a = code("RB-A");
  const std::string b = code("RB-B");
  const std::string customer = unique("rb-cust");
  const auto r = post(
      "/v1/redemptions",
      R"({"redeemables":[{"object":"voucher","id":")" + a + R"("},{"object":"voucher","id":")" + b +
          R"("}],"order":{"amount":10000},"customer":{"source_id":")" + customer + R"("}})");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string parent(r.json().at("parent_redemption").at("id").as_string());
  const std::string child(r.json().at("redemptions").at(0).at("id").as_string());
  const std::string order_id(r.json().at("order").at("id").as_string());

  expect_error(post("/v1/redemptions/" + child + "/rollbacks", "{}"), 400,
               "invalid_redemption_parent");
  expect_error(post("/v1/redemptions/" + child + "/rollback", "{}"), 400,
               "invalid_redemption_parent");
  expect_error(post("/v1/redemptions/" + parent + "/rollback", "{}"), 400, "invalid_redemption");
  expect_error(post("/v1/redemptions/" + parent + "/rollbacks",
                    R"({"customer":{"source_id":"somebody-else-entirely"}})"),
               404, "not_found");
  ASSERT_EQ(post("/v1/customers", R"({"source_id":"rb-other"})").status, 200);
  expect_error(
      post("/v1/redemptions/" + parent + "/rollbacks", R"({"customer":{"source_id":"rb-other"}})"),
      400, "invalid_customer");
  expect_error(post("/v1/redemptions/" + parent + "/rollbacks", R"({"order":{"id":"ord_nope"}})"),
               400, "invalid_order");
  expect_error(post("/v1/redemptions/nope/rollbacks", "{}"), 404, "not_found");
  EXPECT_EQ(redeemed(a), 1) << "refused rollbacks give nothing back";

  const auto ok = post("/v1/redemptions/" + parent + "/rollbacks?reason=changed%20mind",
                       R"({"customer":{"source_id":")" + customer + R"("},"order":{"id":")" +
                           order_id + R"("},"metadata":{"why":"test"}})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  const auto j = ok.json();
  EXPECT_EQ(j.at("rollbacks").as_array().size(), 2u);
  EXPECT_EQ(j.at("parent_rollback").at("redemption").as_string(), parent);
  EXPECT_TRUE(std::string(j.at("parent_rollback").at("id").as_string()).starts_with("rr_"));
  EXPECT_EQ(j.at("rollbacks").at(0).at("reason").as_string(), "changed mind");
  EXPECT_EQ(j.at("order").at("status").as_string(), "CANCELED");
  EXPECT_EQ(redeemed(a), 0);
  EXPECT_EQ(redeemed(b), 0);
  EXPECT_EQ(get("/v1/redemptions/" + child).json().at("status").as_string(), "ROLLED_BACK");
  const std::string rollback_id(j.at("rollbacks").at(0).at("id").as_string());
  const auto rb = get("/v1/redemptions/" + rollback_id);
  ASSERT_EQ(rb.status, 200) << rb.body;
  EXPECT_EQ(rb.json().at("object").as_string(), "redemption_rollback");

  const auto again = post("/v1/redemptions/" + parent + "/rollbacks", "{}");
  expect_error(again, 400, "already_rolled_back");
  EXPECT_TRUE(std::string(again.json().at("resource_id").as_string()).starts_with("rrf_"));
  EXPECT_EQ(again.json().at("resource_type").as_string(), "redemption_rollback");
  EXPECT_EQ(redeemed(a), 0) << "exactly once";

  // A single (legacy) redemption rolls back through either endpoint.
  const std::string single = code("RB-SINGLE");
  const auto s = post("/v1/vouchers/" + single + "/redemption", R"({"order":{"amount":1000}})");
  ASSERT_EQ(s.status, 200) << s.body;
  const auto sb = post(
      "/v1/redemptions/" + std::string(s.json().at("id").as_string()) + "/rollback?reason=refund",
      "{}");
  ASSERT_EQ(sb.status, 200) << sb.body;
  EXPECT_EQ(sb.json().at("object").as_string(), "redemption_rollback");
  EXPECT_EQ(sb.json().at("redemption").as_string(), s.json().at("id").as_string());
  EXPECT_EQ(redeemed(single), 0);
}

TEST_F(RedemptionHttp, OnlyRedemptionsYoungerThanThreeMonthsRollBack) {
  const std::string c = code("OLD");
  const auto r = redeem(c, "old-customer");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string parent(r.json().at("parent_redemption").at("id").as_string());
  // Four months ago.
  server()->database().execute("UPDATE redemptions SET created_at = created_at - " +
                               std::to_string(int64_t{122} * 24 * 3600 * 1000) + " WHERE id = '" +
                               parent + "' OR parent_id = '" + parent + "'");
  expect_error(post("/v1/redemptions/" + parent + "/rollbacks", "{}"), 400, "invalid_redemption");
  EXPECT_EQ(redeemed(c), 1);
}

TEST_F(RedemptionHttp, GiftCampaignTransactionsListEveryCardsCredits) {
  const auto campaign = post("/v1/campaigns", R"({"name":")" + unique("gift-campaign") +
                                                  R"(","campaign_type":"GIFT_VOUCHERS",)"
                                                  R"("vouchers_count":1,"voucher":{"type":)"
                                                  R"("GIFT_VOUCHER","gift":{"amount":4000}}})");
  ASSERT_EQ(campaign.status, 200) << campaign.body;
  const std::string id(campaign.json().at("id").as_string());
  HttpResult codes;
  for (int i = 0; i < 200; ++i) {
    codes = get("/v1/vouchers?campaign_id=" + id);
    if (!codes.json().at("vouchers").as_array().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  const std::string card(codes.json().at("vouchers").at(0).at("code").as_string());
  const auto r =
      post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":")" + card +
                                  R"(","gift":{"credits":1500}}],"order":{"amount":5000}})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto tx = get("/v1/campaigns/" + id + "/transactions");
  ASSERT_EQ(tx.status, 200) << tx.body;
  const auto json = tx.json();
  ASSERT_EQ(json.at("data").as_array().size(), 1u) << tx.body;
  EXPECT_EQ(json.at("data").at(0).at("type").as_string(), "CREDITS_REDEMPTION");
  EXPECT_EQ(json.at("data").at(0).at("details").at("balance").at("amount").as_int64(), -1500);
  EXPECT_EQ(json.at("data").at(0).at("details").at("redemption").at("id").as_string(),
            r.json().at("redemptions").at(0).at("id").as_string());
  EXPECT_EQ(json.at("data").at(0).at("campaign_id").as_string(), id);
}

TEST_F(RedemptionHttp, ARollbackRestoresPerCustomerCountsAndTheCustomerMayRedeemAgain) {
  const std::string once = code("ONCE-AGAIN");
  assign(
      rule(
          R"({"1":{"name":"redemption.count.per_customer","conditions":{"$less_than_or_equal":[1]}}})"),
      "voucher", voucher_id(once));
  const auto first = redeem(once, "again-1");
  ASSERT_EQ(first.status, 200) << first.body;
  expect_error(redeem(once, "again-1"), 400, "redemption_rules_violated");
  const std::string parent(first.json().at("parent_redemption").at("id").as_string());
  ASSERT_EQ(post("/v1/redemptions/" + parent + "/rollbacks", "{}").status, 200);
  EXPECT_EQ(redeem(once, "again-1").status, 200);
}

TEST_F(RedemptionHttp, SessionLocksReserveUnitsUntilRedeemedReleasedOrExpired) {
  const std::string c = code("LOCKED", "2");
  auto lock = [&](const std::string& key, const std::string& ttl = "") {
    return post("/v1/validations", R"({"redeemables":[{"object":"voucher","id":")" + c +
                                       R"("}],"order":{"amount":1000},"session":{"type":"LOCK",)"
                                       R"("key":")" +
                                       key + "\"" + ttl + "}}");
  };
  const auto s1 = lock("ssn_one");
  ASSERT_TRUE(s1.json().at("valid").as_bool()) << s1.body;
  EXPECT_EQ(s1.json().at("session").at("key").as_string(), "ssn_one");
  EXPECT_EQ(s1.json().at("session").at("ttl_unit").as_string(), "DAYS");
  ASSERT_TRUE(lock("ssn_two").json().at("valid").as_bool());
  const auto s3 = lock("ssn_three");
  EXPECT_FALSE(s3.json().at("valid").as_bool()) << s3.body;
  EXPECT_NE(s3.body.find("quantity_exceeded"), std::string::npos) << s3.body;
  // Reusing a key overwrites: still two reservations.
  EXPECT_TRUE(lock("ssn_one").json().at("valid").as_bool());
  // Nobody else can redeem; the holder of a session can.
  expect_error(redeem(c, "not-a-holder"), 400, "quantity_exceeded");
  const auto held = redeem(c, "holder", 1000, R"(,"session":{"type":"LOCK","key":"ssn_one"})");
  ASSERT_EQ(held.status, 200) << held.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM session_locks WHERE session_key = 'ssn_one'"), 0)
      << "the redemption released its session";
  // Released by hand: the unit is free again.
  EXPECT_EQ(
      client_->request("DELETE", "/v1/vouchers/" + c + "/sessions/ssn_two", "", auth()).status,
      204);
  expect_error(
      HttpResult(client_->request("DELETE", "/v1/vouchers/" + c + "/sessions/ssn_two", "", auth())),
      404, "not_found");
  // A lock that expires stops counting without any sweep.
  const auto brief = lock("ssn_brief", R"(,"ttl":300,"ttl_unit":"MILLISECONDS")");
  ASSERT_TRUE(brief.json().at("valid").as_bool()) << brief.body;
  EXPECT_FALSE(lock("ssn_blocked").json().at("valid").as_bool());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_TRUE(lock("ssn_after").json().at("valid").as_bool());
}

TEST_F(RedemptionHttp, AnIdempotentRetryGetsTheFirstAnswerAndConsumesNothingMore) {
  const std::string c = code("RETRY");
  const HeaderList headers{{"X-App-Id", ServerProcess::kAppId},
                           {"X-App-Token", ServerProcess::kAppToken},
                           {"Content-Type", "application/json"},
                           {"Idempotency-Key", unique("idem")}};
  const std::string body =
      R"({"redeemables":[{"object":"voucher","id":")" + c + R"("}],"order":{"amount":1000}})";
  const auto first = client_->request("POST", "/v1/redemptions", body, headers);
  ASSERT_EQ(first.status, 200) << first.body;
  const auto second = client_->request("POST", "/v1/redemptions", body, headers);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(redeemed(c), 1);
  const auto other = client_->request(
      "POST", "/v1/redemptions",
      R"({"redeemables":[{"object":"voucher","id":")" + c + R"("}],"order":{"amount":2000}})",
      headers);
  expect_error(other, 409, "idempotency_key_reused");
  EXPECT_EQ(redeemed(c), 1);
}

TEST_F(RedemptionHttp, BadInputGetsTheErrorJsonAndWritesNothing) {
  const std::string c = code("BAD-INPUT");
  const int64_t before = count("SELECT COUNT(*) FROM redemptions");
  std::string many;
  for (int i = 0; i < 31; ++i) {
    many +=
        std::string(i ? "," : "") + R"({"object":"voucher","id":"X)" + std::to_string(i) + "\"}";
  }
  expect_error(post("/v1/redemptions", R"({"redeemables":[)" + many + "]}"), 400,
               "invalid_redeemables");
  expect_error(
      post("/v1/redemptions", R"({"redeemables":[{"object":"coupon","id":")" + c + "\"}]}"), 400,
      "invalid_payload");
  expect_error(post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":")" + c +
                                           R"("}],"order":{"amount":-5}})"),
               400, "invalid_amount");
  expect_error(post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":")" + c +
                                           R"("}],"order":{"amount":1e30}})"),
               400, "invalid_amount");
  expect_error(post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":")" + c +
                                           R"("}],"session":{"type":"LOCK","key":")" +
                                           std::string(10240, 'k') + "\"}}"),
               400, "invalid_payload");
  expect_error(post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":")" + c +
                                           R"("}],"order":{"amount":100,"items":[{"quantity":1,)"
                                           R"("price":50}]}})"),
               400, "invalid_amount");
  expect_error(post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":")" + c +
                                           R"("}],"customer":"alice"})"),
               400, "invalid_payload");
  expect_error(post("/v1/redemptions", "[1,2,3]"), 400, "invalid_payload");
  expect_error(redeem("NO-SUCH-CODE-ANYWHERE", "nobody"), 404, "not_found");
  EXPECT_EQ(count("SELECT COUNT(*) FROM redemptions"), before);
  EXPECT_EQ(redeemed(c), 0);
  expect_alive();
}

TEST_F(RedemptionHttp, CampaignSummaryCountsRedemptionsAndRollbacks) {
  const auto campaign =
      post("/v1/campaigns", R"({"name":")" + unique("summary") +
                                R"(","campaign_type":"DISCOUNT_COUPONS","vouchers_count":2,)"
                                R"("voucher":{"discount":{"type":"AMOUNT","amount_off":250}}})");
  ASSERT_EQ(campaign.status, 200) << campaign.body;
  const std::string id(campaign.json().at("id").as_string());
  // The codes are generated by a background job: wait for both.
  HttpResult codes;
  for (int i = 0; i < 200; ++i) {
    codes = get("/v1/vouchers?campaign_id=" + id);
    if (codes.json().at("vouchers").as_array().size() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_EQ(codes.json().at("vouchers").as_array().size(), 2u) << codes.body;
  const std::string first(codes.json().at("vouchers").at(0).at("code").as_string());
  const std::string second(codes.json().at("vouchers").at(1).at("code").as_string());
  ASSERT_EQ(redeem(first, "s1").status, 200);
  const auto r = redeem(second, "s2");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(
      post("/v1/redemptions/" + std::string(r.json().at("parent_redemption").at("id").as_string()) +
               "/rollbacks",
           "{}")
          .status,
      200);
  const auto s = get("/v1/campaigns/" + id + "/summary");
  ASSERT_EQ(s.status, 200) << s.body;
  const auto j = s.json();
  EXPECT_EQ(j.at("redemptions_succeeded").as_int64(), 2) << s.body;
  EXPECT_EQ(j.at("rollbacks_succeeded").as_int64(), 1) << s.body;
  EXPECT_EQ(j.at("discounted_amount").as_int64(), 500) << s.body;
  EXPECT_EQ(j.at("rolledback_discounted_amount").as_int64(), 250) << s.body;
}

}  // namespace
}  // namespace openpromo::testing

namespace openpromo::testing {
namespace {

class QualificationHttp : public SharedServerTest {
 protected:
  std::string unique(const std::string& prefix) {
    static int n = 0;
    return prefix + "-" + std::to_string(++n) + "-" + std::to_string(::getpid());
  }
  // A promotion campaign with one tier; returns the tier id.
  std::string tier(const std::string& discount, const std::string& extra = "") {
    const auto c = post("/v1/campaigns",
                        R"({"name":")" + unique("q-promo") + R"(","campaign_type":"PROMOTION"})");
    EXPECT_EQ(c.status, 200) << c.body;
    const auto t = post("/v1/promotions/" + std::string(c.json().at("id").as_string()) + "/tiers",
                        R"({"name":")" + unique("tier") + R"(","action":{"discount":)" + discount +
                            "}" + extra + "}");
    EXPECT_EQ(t.status, 200) << t.body;
    return std::string(t.json().at("id").as_string());
  }
  std::vector<std::string> ids(const HttpResult& r) {
    std::vector<std::string> out;
    const auto json = r.json();
    for (const auto& item : json.at("redeemables").at("data").as_array()) {
      out.emplace_back(item.at("id").as_string());
    }
    return out;
  }
  static bool has(const std::vector<std::string>& v, const std::string& id) {
    return std::find(v.begin(), v.end(), id) != v.end();
  }
};

TEST_F(QualificationHttp, ListsWhatQualifiesSortedAndPagedAndSeesChangesAtOnce) {
  const std::string small = tier(R"({"type":"AMOUNT","amount_off":100})");
  const std::string big = tier(R"({"type":"AMOUNT","amount_off":900})");
  const std::string rule = std::string(
      post("/v1/validation-rules",
           R"({"name":")" + unique("min") +
               R"(","rules":{"1":{"name":"order.amount","conditions":{"$more_than":[50000]}}}})")
          .json()
          .at("id")
          .as_string());
  const std::string needs_big_cart =
      tier(R"({"type":"AMOUNT","amount_off":5000})", R"(,"validation_rules":[")" + rule + R"("])");
  const std::string body =
      R"({"customer":{"source_id":"q-cust"},"order":{"amount":10000},)"
      R"("options":{"limit":50,"sorting_rule":"BEST_DEAL","filters":{"resource_type":)"
      R"({"conditions":{"$is":"promotion_tier"}}}}})";
  const auto r = post("/v1/qualifications", body);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto found = ids(r);
  EXPECT_TRUE(has(found, small));
  EXPECT_TRUE(has(found, big));
  EXPECT_FALSE(has(found, needs_big_cart)) << "its rule does not hold on this cart";
  const auto pos = [&](const std::string& id) {
    return std::find(found.begin(), found.end(), id) - found.begin();
  };
  EXPECT_LT(pos(big), pos(small)) << "BEST_DEAL: the bigger discount first";
  const auto answer = r.json();
  const auto& first = answer.at("redeemables").at("data").at(0);
  EXPECT_EQ(first.at("object").as_string(), "promotion_tier");
  EXPECT_TRUE(first.at("result").as_object().contains("discount"));
  EXPECT_EQ(r.json().at("redeemables").at("data_ref").as_string(), "data");
  EXPECT_TRUE(r.json().as_object().contains("stacking_rules"));
  EXPECT_TRUE(std::string(r.json().at("tracking_id").as_string()).starts_with("track_"));

  // Disabled: gone from the next answer.
  ASSERT_EQ(post("/v1/promotions/tiers/" + big + "/disable", "{}").status, 200);
  EXPECT_FALSE(has(ids(post("/v1/qualifications", body)), big));

  // Paging with the created_at cursor: pages of one never repeat or skip.
  const std::string paged =
      R"({"order":{"amount":10000},"options":{"limit":1,"filters":{"resource_type":)"
      R"({"conditions":{"$is":"promotion_tier"}}}}})";
  std::vector<std::string> seen;
  std::string cursor;
  for (int i = 0; i < 200; ++i) {
    std::string page_body = paged;
    if (!cursor.empty()) {
      page_body.insert(page_body.find("\"limit\""), R"("starting_after":")" + cursor + "\",");
    }
    const auto p = post("/v1/qualifications", page_body);
    ASSERT_EQ(p.status, 200) << p.body;
    for (const auto& id : ids(p)) {
      EXPECT_FALSE(has(seen, id)) << id;
      seen.push_back(id);
    }
    const auto page_json = p.json();
    const auto& list = page_json.at("redeemables").as_object();
    if (!list.at("has_more").as_bool()) break;
    cursor = std::string(list.at("more_starting_after").as_string());
  }
  EXPECT_TRUE(has(seen, small));

  expect_error(post("/v1/qualifications", R"({"scenario":"EVERYTHING"})"), 400, "invalid_payload");
  expect_error(post("/v1/qualifications", R"({"options":{"limit":51}})"), 400, "invalid_payload");
  expect_error(post("/v1/qualifications", R"({"options":{"filters":{"secret":{"conditions":)"
                                          R"({"$is":"x"}}}}})"),
               400, "invalid_payload");
}

TEST_F(QualificationHttp, ClientRedemptionNeedsTheProjectToEnableIt) {
  const HeaderList client = client_key_headers("https://shop.example");
  const std::string c = unique("CLIENT");
  ASSERT_EQ(post("/v1/vouchers/" + c,
                 R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100}})")
                .status,
            200);
  const std::string body = R"({"redeemables":[{"object":"voucher","id":")" + c +
                           R"("}],"order":{"amount":1000},"customer":{"source_id":"web"}})";
  const auto refused = client_->request("POST", "/client/v1/redemptions", body, client);
  expect_error(refused, 403, "client_redemption_disabled");
  EXPECT_EQ(refused.header("access-control-allow-origin"), "https://shop.example");
  const auto q =
      client_->request("POST", "/client/v1/qualifications", R"({"order":{"amount":1000}})", client);
  EXPECT_EQ(q.status, 200) << q.body;

  ASSERT_EQ(put("/management/v1/projects/me", R"({"client_redeem_enabled":true})").status, 200);
  EXPECT_TRUE(get("/management/v1/projects/me").json().at("client_redeem_enabled").as_bool());
  const auto ok = client_->request("POST", "/client/v1/redemptions", body, client);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(get("/v1/vouchers/" + c).json().at("redemption").at("redeemed_quantity").as_int64(), 1);
  ASSERT_EQ(put("/management/v1/projects/me", R"({"client_redeem_enabled":false})").status, 200);
  expect_error(put("/management/v1/projects/me", R"({"timezone":"Mars/Olympus"})"), 400,
               "invalid_payload");
}

}  // namespace
}  // namespace openpromo::testing
