// Campaign maintenance (issue 15, spec 13): edits merge metadata, and concurrent edits of one
// campaign or one voucher never lose one another (each PUT reads the row under its lock).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "support/async_action.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/shared_server_test.h"

namespace openpromo::testing {
namespace {

class MaintenanceHttp : public SharedServerTest {
 protected:
  // `writers` concurrent PUTs to `path`, writer i setting metadata key k<i>; all must succeed.
  void concurrent_metadata_puts(const std::string& path, int writers) {
    std::latch ready(writers);
    std::vector<std::thread> threads;
    std::vector<int> statuses(static_cast<size_t>(writers));
    for (int i = 0; i < writers; ++i) {
      threads.emplace_back([&, i] {
        HttpClient client(server()->port());
        client.connect();
        ready.arrive_and_wait();
        statuses[static_cast<size_t>(i)] = client
                                               .request("PUT", path,
                                                        R"({"metadata":{"k)" + std::to_string(i) +
                                                            R"(":)" + std::to_string(i) + "}}",
                                                        SharedServerTest::auth())
                                               .status;
      });
    }
    for (auto& t : threads) t.join();
    for (int s : statuses) EXPECT_EQ(s, 200);
  }
  // A DISCOUNT_COUPONS campaign `name` of `count` generated codes, once they all exist.
  void large_campaign(const std::string& name, int count) {
    const auto created =
        post("/v1/campaigns", R"({"name":")" + name +
                                  R"(","campaign_type":"DISCOUNT_COUPONS",)"
                                  R"("vouchers_count":)" +
                                  std::to_string(count) +
                                  R"(,"voucher":{"type":"DISCOUNT_VOUCHER",)"
                                  R"("discount":{"type":"AMOUNT","amount_off":100}}})");
    ASSERT_EQ(created.status, 200) << created.body;
    const auto generated =
        poll_action(*client_, auth(), std::string(created.json().at("async_action_id").as_string()),
                    120, action_finished);
    ASSERT_EQ(generated.at("status").as_string(), "DONE");
  }
  // A validation rule `name` with one node on order.amount (`condition`, e.g. "$more_than":[1]);
  // its id, or "" when refused.
  std::string order_amount_rule(const std::string& name, const std::string& condition) {
    const auto r = post("/v1/validation-rules", R"({"name":")" + name +
                                                    R"(","rules":{"1":{"name":"order.amount",)"
                                                    R"("conditions":{)" +
                                                    condition + R"(}}},"logic":"1"})");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(r.json().at("id").as_string()) : "";
  }
};

TEST_F(MaintenanceHttp, CampaignMetadataMergesAndUnsetRemovesKeys) {
  const auto created =
      post("/v1/campaigns", R"({"name":"maint-meta","campaign_type":"DISCOUNT_COUPONS",)"
                            R"("metadata":{"a":1,"b":2,"c":3},)"
                            R"("voucher":{"discount":{"type":"AMOUNT","amount_off":1}}})");
  ASSERT_EQ(created.status, 200) << created.body;
  const auto updated = put("/v1/campaigns/maint-meta",
                           R"({"metadata":{"b":20,"d":4,"c":null},"unset_metadata_fields":["a"]})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  const boost::json::value expected = boost::json::parse(R"({"b":20,"d":4})");
  EXPECT_EQ(updated.json().at("metadata"), expected) << updated.body;
  EXPECT_EQ(get("/v1/campaigns/maint-meta").json().at("metadata"), expected);
  expect_error(put("/v1/campaigns/maint-meta", R"({"unset_metadata_fields":"a"})"), 400,
               "invalid_payload");
  expect_error(put("/v1/campaigns/maint-meta", R"({"metadata":[1]})"), 400, "invalid_payload");
}

TEST_F(MaintenanceHttp, ConcurrentEditsOfOneCampaignOrVoucherKeepEveryKey) {
  constexpr int kWriters = 16;
  ASSERT_EQ(post("/v1/campaigns", R"({"name":"maint-race","campaign_type":"DISCOUNT_COUPONS",)"
                                  R"("voucher":{"discount":{"type":"AMOUNT","amount_off":1}}})")
                .status,
            200);
  ASSERT_EQ(post("/v1/vouchers/MAINT-RACE-1",
                 R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1}})")
                .status,
            200);
  concurrent_metadata_puts("/v1/campaigns/maint-race", kWriters);
  concurrent_metadata_puts("/v1/vouchers/MAINT-RACE-1", kWriters);
  const auto campaign = get("/v1/campaigns/maint-race").json();
  const auto voucher = get("/v1/vouchers/MAINT-RACE-1").json();
  for (int i = 0; i < kWriters; ++i) {
    const std::string key = "k" + std::to_string(i);
    EXPECT_TRUE(campaign.at("metadata").as_object().contains(key)) << "campaign lost " << key;
    EXPECT_TRUE(voucher.at("metadata").as_object().contains(key)) << "voucher lost " << key;
  }
}

TEST_F(MaintenanceHttp, ACloneCopiesTheConfigurationAndValidatesIdentically) {
  const std::string rule_id = order_amount_rule("maint-min", R"("$more_than_equal":[5000])");
  ASSERT_FALSE(rule_id.empty());
  const auto src =
      post("/v1/campaigns",
           R"({"name":"maint-src","type":"STATIC","campaign_type":"DISCOUNT_COUPONS",)"
           R"("vouchers_count":1,"metadata":{"team":"growth"},"validation_rules":[")" +
               rule_id +
               R"("],"voucher":{"type":"DISCOUNT_VOUCHER","discount":{"type":"PERCENT",)"
               R"("percent_off":15},"code_config":{"pattern":"MSRC-####"}}})");
  ASSERT_EQ(src.status, 200) << src.body;
  const auto copy =
      post("/v1/campaigns/maint-src/clone", R"({"name":"maint-copy","vouchers_count":1})");
  ASSERT_EQ(copy.status, 200) << copy.body;
  const auto c = copy.json();
  EXPECT_NE(c.at("id"), src.json().at("id"));
  EXPECT_EQ(c.at("name").as_string(), "maint-copy");
  EXPECT_EQ(c.at("metadata"), src.json().at("metadata"));
  EXPECT_EQ(c.at("type").as_string(), "STATIC");
  EXPECT_EQ(c.at("voucher").at("discount"), src.json().at("voucher").at("discount"));
  EXPECT_EQ(c.at("voucher").at("code_config").at("pattern").as_string(), "MSRC-####");
  const auto code_of = [&](const std::string& campaign) {
    const auto list = get("/v1/vouchers?campaign=" + campaign).json();
    EXPECT_EQ(list.at("vouchers").as_array().size(), 1u) << campaign;
    return std::string(list.at("vouchers").at(0).at("code").as_string());
  };
  const std::string original = code_of("maint-src"), cloned = code_of("maint-copy");
  EXPECT_NE(original, cloned);
  EXPECT_EQ(cloned.rfind("MSRC-", 0), 0u);
  for (const int64_t amount : {4000, 6000}) {
    const auto a = validation_outcome(R"({"object":"voucher","id":")" + original + R"("})", amount);
    const auto b = validation_outcome(R"({"object":"voucher","id":")" + cloned + R"("})", amount);
    EXPECT_EQ(a, b) << amount;
  }
  EXPECT_EQ(validation_outcome(R"({"object":"voucher","id":")" + cloned + R"("})", 6000),
            std::make_pair(true, int64_t{900}));

  // A promotion's tiers come along, with their rules.
  const auto promo =
      post("/v1/campaigns", R"({"name":"maint-promo","campaign_type":"PROMOTION",)"
                            R"("promotion":{"tiers":[{"name":"maint-tier",)"
                            R"("action":{"discount":{"type":"AMOUNT","amount_off":250}},)"
                            R"("validation_rules":[")" +
                                rule_id + R"("]}]}})");
  ASSERT_EQ(promo.status, 200) << promo.body;
  ASSERT_EQ(post("/v1/campaigns/maint-promo/clone", R"({"name":"maint-promo-copy"})").status, 200);
  const auto tier_of = [&](const std::string& campaign) {
    const std::string id(get("/v1/campaigns/" + campaign).json().at("id").as_string());
    const auto tiers = get("/v1/promotions/" + id + "/tiers").json();
    EXPECT_EQ(tiers.at("tiers").as_array().size(), 1u) << campaign;
    EXPECT_EQ(tiers.at("tiers").at(0).at("name").as_string(), "maint-tier");
    return std::string(tiers.at("tiers").at(0).at("id").as_string());
  };
  const std::string tier = tier_of("maint-promo"), tier_copy = tier_of("maint-promo-copy");
  EXPECT_NE(tier, tier_copy);
  for (const int64_t amount : {4000, 6000}) {
    EXPECT_EQ(
        validation_outcome(R"({"object":"promotion_tier","id":")" + tier + R"("})", amount),
        validation_outcome(R"({"object":"promotion_tier","id":")" + tier_copy + R"("})", amount))
        << amount;
  }

  // Refused: programs, no name, a taken name, an unknown source.
  ASSERT_EQ(post("/v1/campaigns", R"({"name":"maint-referral","campaign_type":"REFERRAL_PROGRAM",)"
                                  R"("voucher":{"discount":{"type":"AMOUNT","amount_off":1}}})")
                .status,
            200);
  expect_error(post("/v1/campaigns/maint-referral/clone", R"({"name":"maint-referral-2"})"), 400,
               "invalid_campaign_params");
  expect_error(post("/v1/campaigns/maint-src/clone", "{}"), 400, "invalid_payload");
  EXPECT_NE(post("/v1/campaigns/maint-src/clone", R"({"name":"maint-copy"})").status, 200);
  expect_error(post("/v1/campaigns/maint-nothing/clone", R"({"name":"x"})"), 404, "not_found");
}

// Spec 13.4: deleting without force bins (name and code stay reserved, one entry per campaign
// and per voucher binned on its own); purging the entry, or force, frees them.
TEST_F(MaintenanceHttp, TheBinKeepsNamesAndCodesUntilAnEntryIsPurged) {
  const std::string standalone =
      R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1}})";
  ASSERT_EQ(post("/v1/vouchers/MAINT-BIN-LONE", standalone).status, 200);
  const std::string campaign =
      R"({"name":"maint-bin","campaign_type":"DISCOUNT_COUPONS",)"
      R"("voucher":{"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1}}})";
  ASSERT_EQ(post("/v1/campaigns", campaign).status, 200);
  ASSERT_EQ(post("/v1/campaigns/maint-bin/vouchers/MAINT-BIN-C1", "{}").status, 200);
  const std::string campaign_id(get("/v1/campaigns/maint-bin").json().at("id").as_string());
  ASSERT_LT(del("/v1/vouchers/MAINT-BIN-LONE").status, 300);
  ASSERT_LT(del("/v1/campaigns/maint-bin").status, 300);

  const auto entry = [&](const std::string& name) {
    const auto list = get("/v1/trash-bin?filters[resource_name][conditions][$is]=" + name).json();
    EXPECT_EQ(list.at("total").as_int64(), 1) << name;
    return list.at("data").as_array().empty() ? boost::json::value() : list.at("data").at(0);
  };
  const auto lone = entry("MAINT-BIN-LONE");
  ASSERT_TRUE(lone.is_object());
  EXPECT_EQ(std::string(lone.at("id").as_string()).rfind("tbe_", 0), 0u);
  EXPECT_EQ(lone.at("resource_type").as_string(), "voucher");
  EXPECT_TRUE(lone.at("resource_parent_id").is_null());
  EXPECT_TRUE(lone.at("deleted_by_user_id").is_null());
  const auto binned_campaign = entry("maint-bin");
  ASSERT_TRUE(binned_campaign.is_object());
  EXPECT_EQ(binned_campaign.at("resource_type").as_string(), "campaign");
  EXPECT_EQ(binned_campaign.at("resource_id").as_string(), campaign_id);
  // The campaign's code went with the campaign: no entry of its own.
  EXPECT_EQ(get("/v1/trash-bin?filters[resource_name][conditions][$is]=MAINT-BIN-C1")
                .json()
                .at("total")
                .as_int64(),
            0);

  // Reserved while binned.
  EXPECT_NE(post("/v1/vouchers/MAINT-BIN-LONE", standalone).status, 200);
  EXPECT_NE(post("/v1/vouchers/MAINT-BIN-C1", standalone).status, 200);
  EXPECT_NE(post("/v1/campaigns", campaign).status, 200);

  // Purged: free again.
  EXPECT_EQ(del("/v1/trash-bin/" + std::string(lone.at("id").as_string())).status, 204);
  EXPECT_EQ(post("/v1/vouchers/MAINT-BIN-LONE", standalone).status, 200);
  EXPECT_EQ(del("/v1/trash-bin/" + std::string(binned_campaign.at("id").as_string())).status, 204);
  EXPECT_EQ(post("/v1/campaigns", campaign).status, 200);
  EXPECT_EQ(post("/v1/vouchers/MAINT-BIN-C1", standalone).status, 200);
  expect_error(del("/v1/trash-bin/" + std::string(lone.at("id").as_string())), 404, "not_found");

  // force deletes at once, with no entry.
  ASSERT_EQ(post("/v1/vouchers/MAINT-BIN-FORCE", standalone).status, 200);
  ASSERT_LT(del("/v1/vouchers/MAINT-BIN-FORCE?force=true").status, 300);
  EXPECT_EQ(get("/v1/trash-bin?filters[resource_name][conditions][$is]=MAINT-BIN-FORCE")
                .json()
                .at("total")
                .as_int64(),
            0);
  EXPECT_EQ(post("/v1/vouchers/MAINT-BIN-FORCE", standalone).status, 200);
}

// Spec 13.2: a disabled campaign's codes neither validate, redeem nor qualify; its codes and
// balances are kept and it can still publish; enabling it again restores everything.
TEST_F(MaintenanceHttp, ADisabledCampaignKeepsItsCodesAndCanPublishButNeverApplies) {
  ASSERT_EQ(post("/v1/campaigns", R"({"name":"maint-off","campaign_type":"DISCOUNT_COUPONS",)"
                                  R"("voucher":{"type":"DISCOUNT_VOUCHER",)"
                                  R"("discount":{"type":"AMOUNT","amount_off":300}}})")
                .status,
            200);
  ASSERT_EQ(post("/v1/campaigns/maint-off/vouchers/MAINT-OFF-1", "{}").status, 200);
  ASSERT_EQ(post("/v1/campaigns", R"({"name":"maint-off-gift","campaign_type":"GIFT_VOUCHERS",)"
                                  R"("voucher":{"type":"GIFT_VOUCHER","gift":{"amount":5000}}})")
                .status,
            200);
  ASSERT_EQ(post("/v1/campaigns/maint-off-gift/vouchers/MAINT-OFF-G", "{}").status, 200);
  const std::string coupon = R"({"object":"voucher","id":"MAINT-OFF-1"})";
  const std::string gift = R"({"object":"voucher","id":"MAINT-OFF-G","gift":{"credits":1000}})";
  // A campaign of unique codes qualifies as the campaign; codes held by someone else are not
  // offered, so ask as the customer who will hold one.
  const std::string qualification =
      R"({"customer":{"source_id":"maint-off-holder"},"order":{"amount":6000},)"
      R"("options":{"limit":50}})";
  const auto qualifies = [&](const std::string& code) {
    const auto r = post("/v1/qualifications", qualification);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body.find("\"" + code + "\"") != std::string::npos;
  };
  EXPECT_EQ(validation_outcome(coupon, 6000), std::make_pair(true, int64_t{300}));
  EXPECT_EQ(validation_outcome(gift, 6000), std::make_pair(true, int64_t{1000}));
  EXPECT_TRUE(qualifies("maint-off"));

  for (const char* name : {"maint-off", "maint-off-gift"}) {
    ASSERT_EQ(post("/v1/campaigns/" + std::string(name) + "/disable", "").status, 200);
  }
  EXPECT_FALSE(validation_outcome(coupon, 6000).first);
  EXPECT_FALSE(validation_outcome(gift, 6000).first);
  EXPECT_FALSE(qualifies("maint-off"));
  const auto redeem =
      post("/v1/redemptions", R"({"redeemables":[)" + coupon + R"(],"order":{"amount":6000}})");
  EXPECT_EQ(redeem.status, 400) << redeem.body;
  EXPECT_EQ(get("/v1/vouchers/MAINT-OFF-1").json().at("redemption").at("redeemed_quantity"), 0);
  EXPECT_EQ(get("/v1/vouchers/MAINT-OFF-G").json().at("gift").at("balance").as_int64(), 5000);
  // Publication goes on.
  EXPECT_EQ(post("/v1/publications",
                 R"({"voucher":"MAINT-OFF-1","customer":{"source_id":"maint-off-holder"}})")
                .status,
            200);

  for (const char* name : {"maint-off", "maint-off-gift"}) {
    ASSERT_EQ(post("/v1/campaigns/" + std::string(name) + "/enable", "").status, 200);
  }
  EXPECT_EQ(validation_outcome(coupon, 6000), std::make_pair(true, int64_t{300}));
  EXPECT_EQ(validation_outcome(gift, 6000), std::make_pair(true, int64_t{1000}));
  EXPECT_TRUE(qualifies("maint-off"));
}

// Ours: every maintenance action on a campaign or its codes is in the campaign's audit log, with
// who, before and after; a refused action leaves nothing.
TEST_F(MaintenanceHttp, TheAuditLogRecordsEachActionWithItsBeforeAndAfter) {
  const auto created =
      post("/v1/campaigns",
           R"({"name":"maint-audit","campaign_type":"DISCOUNT_COUPONS",)"
           R"("metadata":{"a":1},)"
           R"("voucher":{"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1}}})");
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(created.json().at("id").as_string());
  ASSERT_EQ(put("/v1/campaigns/maint-audit", R"({"metadata":{"a":2}})").status, 200);
  expect_error(put("/v1/campaigns/maint-audit", R"({"name":"renamed"})"), 400,
               "invalid_campaign_params");
  ASSERT_EQ(post("/v1/campaigns/maint-audit/disable", "").status, 200);
  ASSERT_EQ(post("/v1/campaigns/maint-audit/enable", "").status, 200);
  ASSERT_EQ(post("/v1/campaigns/maint-audit/vouchers/MAINT-AUDIT-1", "{}").status, 200);
  ASSERT_EQ(put("/v1/vouchers/MAINT-AUDIT-1", R"({"metadata":{"k":"v"}})").status, 200);
  ASSERT_LT(del("/v1/vouchers/MAINT-AUDIT-1").status, 300);

  const auto log = get("/v1/campaigns/" + id + "/audit?limit=20");
  ASSERT_EQ(log.status, 200) << log.body;
  const auto j = log.json();
  std::vector<std::string> actions;
  for (const auto& e : j.at("data").as_array()) actions.emplace_back(e.at("action").as_string());
  EXPECT_EQ(actions,
            (std::vector<std::string>{"voucher.binned", "voucher.updated", "campaign.enabled",
                                      "campaign.disabled", "campaign.updated", "campaign.created"}))
      << log.body;
  const auto& updated = j.at("data").at(4);
  EXPECT_EQ(updated.at("before").at("definition").at("metadata").at("a").as_int64(), 1);
  EXPECT_EQ(updated.at("after").at("definition").at("metadata").at("a").as_int64(), 2);
  EXPECT_EQ(updated.at("actor").at("role").as_string(), "admin");
  EXPECT_TRUE(updated.at("actor").at("key_id").is_string());
  EXPECT_EQ(std::string(updated.at("id").as_string()).rfind("aud_", 0), 0u);
  const auto* before_metadata =
      j.at("data").at(1).at("before").at("definition").as_object().if_contains("metadata");
  EXPECT_TRUE(!before_metadata || !before_metadata->as_object().contains("k"));
  EXPECT_EQ(j.at("data").at(1).at("after").at("definition").at("metadata").at("k").as_string(),
            "v");
  EXPECT_TRUE(j.at("data").at(0).at("after").is_null());
  EXPECT_EQ(j.at("data").at(3).at("after").at("active"), false);

  const auto copy = post("/v1/campaigns/maint-audit/clone", R"({"name":"maint-audit-copy"})");
  ASSERT_EQ(copy.status, 200) << copy.body;
  const auto copy_log =
      get("/v1/campaigns/" + std::string(copy.json().at("id").as_string()) + "/audit").json();
  ASSERT_EQ(copy_log.at("total").as_int64(), 1);
  EXPECT_EQ(copy_log.at("data").at(0).at("action").as_string(), "campaign.cloned");
  EXPECT_EQ(copy_log.at("data").at(0).at("before").at("source_campaign_id").as_string(), id);
}

// The audit log covers a promotion's tiers too.
TEST_F(MaintenanceHttp, TierActionsAreInTheirCampaignsAuditLog) {
  const auto promo =
      post("/v1/campaigns", R"({"name":"maint-audit-promo","campaign_type":"PROMOTION",)"
                            R"("promotion":{"tiers":[{"name":"maint-audit-tier",)"
                            R"("action":{"discount":{"type":"AMOUNT","amount_off":250}}}]}})");
  ASSERT_EQ(promo.status, 200) << promo.body;
  const std::string id(promo.json().at("id").as_string());
  const auto tiers = get("/v1/promotions/" + id + "/tiers").json();
  const std::string tier(tiers.at("tiers").at(0).at("id").as_string());
  ASSERT_EQ(put("/v1/promotions/tiers/" + tier, R"({"name":"maint-audit-tier-2"})").status, 200);
  ASSERT_EQ(post("/v1/promotions/tiers/" + tier + "/disable", "").status, 200);
  ASSERT_LT(del("/v1/promotions/tiers/" + tier).status, 300);
  const auto log = get("/v1/campaigns/" + id + "/audit?order=id").json();
  std::vector<std::string> actions;
  for (const auto& e : log.at("data").as_array()) actions.emplace_back(e.at("action").as_string());
  EXPECT_EQ(actions, (std::vector<std::string>{
                         "campaign.created", "campaign.promotion_tier.created",
                         "campaign.promotion_tier.updated", "campaign.promotion_tier.disabled",
                         "campaign.promotion_tier.deleted"}));
  EXPECT_EQ(log.at("data").at(2).at("before").at("name").as_string(), "maint-audit-tier");
  EXPECT_EQ(log.at("data").at(2).at("after").at("name").as_string(), "maint-audit-tier-2");
  EXPECT_EQ(log.at("data").at(4).at("resource_id").as_string(), tier);
}

TEST_F(MaintenanceHttp, ConcurrentEditsOfOneTierKeepEveryField) {
  const auto promo =
      post("/v1/campaigns", R"({"name":"maint-tier-race","campaign_type":"PROMOTION",)"
                            R"("promotion":{"tiers":[{"name":"original","banner":"original",)"
                            R"("action":{"discount":{"type":"AMOUNT","amount_off":250}}}]}})");
  ASSERT_EQ(promo.status, 200) << promo.body;
  const std::string id(promo.json().at("id").as_string());
  const std::string tier(
      get("/v1/promotions/" + id + "/tiers").json().at("tiers").at(0).at("id").as_string());
  constexpr int kWriters = 16;
  std::latch ready(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      HttpClient client(server()->port());
      client.connect();
      ready.arrive_and_wait();
      const std::string field = i % 2 ? "banner" : "name";
      const auto r = client.request("PUT", "/v1/promotions/tiers/" + tier,
                                    R"({")" + field + R"(":"w)" + std::to_string(i) + R"("})",
                                    SharedServerTest::auth());
      EXPECT_EQ(r.status, 200) << r.body;
    });
  }
  for (auto& t : threads) t.join();
  const auto stored = get("/v1/promotions/tiers/" + tier).json();
  // Each field holds one of its writers' values: no edit put back the other field's original.
  EXPECT_NE(stored.at("name").as_string(), "original");
  EXPECT_NE(stored.at("banner").as_string(), "original");
}

// A permanent delete takes the rule assignments of the campaign, its codes and its tiers along.
TEST_F(MaintenanceHttp, APermanentDeleteLeavesNoRuleAssignmentBehind) {
  const std::string rule_id = order_amount_rule("maint-gone", R"("$more_than":[1])");
  ASSERT_FALSE(rule_id.empty());
  const std::string with_rule = R"(,"validation_rules":[")" + rule_id + R"("])";
  ASSERT_EQ(post("/v1/campaigns", R"({"name":"maint-gone","campaign_type":"DISCOUNT_COUPONS",)"
                                  R"("voucher":{"type":"DISCOUNT_VOUCHER",)"
                                  R"("discount":{"type":"AMOUNT","amount_off":1}})" +
                                      with_rule + "}")
                .status,
            200);
  ASSERT_EQ(post("/v1/campaigns", R"({"name":"maint-gone-promo","campaign_type":"PROMOTION",)"
                                  R"("promotion":{"tiers":[{"name":"maint-gone-tier",)"
                                  R"("action":{"discount":{"type":"AMOUNT","amount_off":1}})" +
                                      with_rule + "}]}}")
                .status,
            200);
  ASSERT_EQ(post("/v1/vouchers/MAINT-GONE-1", R"({"type":"DISCOUNT_VOUCHER",)"
                                              R"("discount":{"type":"AMOUNT","amount_off":1})" +
                                                  with_rule + "}")
                .status,
            200);
  const auto assignments = [&] {
    return get("/v1/validation-rules/" + rule_id + "/assignments").json().at("total").as_int64();
  };
  ASSERT_EQ(assignments(), 3);
  ASSERT_LT(del("/v1/campaigns/maint-gone?force=true").status, 300);
  EXPECT_EQ(assignments(), 2);
  ASSERT_LT(del("/v1/campaigns/maint-gone-promo?force=true").status, 300);
  EXPECT_EQ(assignments(), 1);
  ASSERT_LT(del("/v1/vouchers/MAINT-GONE-1?force=true").status, 300);
  EXPECT_EQ(assignments(), 0);
}

// Spec 13.1: new time limits and category reach the codes nobody holds or redeemed yet; settings
// fixed at creation are refused by name.
TEST_F(MaintenanceHttp, AnEditReachesOnlyUntouchedCodesAndFixedSettingsAreRefused) {
  const auto category = post("/v1/categories", R"({"name":"maint-reach-cat","hierarchy":1})");
  ASSERT_EQ(category.status, 200) << category.body;
  const std::string category_id(category.json().at("id").as_string());
  ASSERT_EQ(post("/v1/campaigns", R"({"name":"maint-reach","campaign_type":"DISCOUNT_COUPONS",)"
                                  R"("voucher":{"type":"DISCOUNT_VOUCHER",)"
                                  R"("discount":{"type":"AMOUNT","amount_off":100}}})")
                .status,
            200);
  for (const char* code : {"MAINT-REACH-HELD", "MAINT-REACH-USED", "MAINT-REACH-FREE"}) {
    ASSERT_EQ(post("/v1/campaigns/maint-reach/vouchers/" + std::string(code), "{}").status, 200);
  }
  ASSERT_EQ(post("/v1/publications",
                 R"({"voucher":"MAINT-REACH-HELD","customer":{"source_id":"maint-reach-c"}})")
                .status,
            200);
  ASSERT_EQ(post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":)"
                                    R"("MAINT-REACH-USED"}],"order":{"amount":1000}})")
                .status,
            200);
  const auto edited =
      put("/v1/campaigns/maint-reach",
          R"({"start_date":"2026-01-01T00:00:00Z","expiration_date":"2030-01-01T00:00:00Z",)"
          R"("category_id":")" +
              category_id + R"("})");
  ASSERT_EQ(edited.status, 200) << edited.body;
  const auto free = get("/v1/vouchers/MAINT-REACH-FREE").json();
  EXPECT_EQ(free.at("start_date").as_string(), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(free.at("expiration_date").as_string(), "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(free.at("category_id").as_string(), category_id);
  for (const char* code : {"MAINT-REACH-HELD", "MAINT-REACH-USED"}) {
    const auto v = get("/v1/vouchers/" + std::string(code)).json();
    EXPECT_TRUE(v.at("start_date").is_null()) << code;
    EXPECT_TRUE(v.at("expiration_date").is_null()) << code;
    EXPECT_TRUE(v.at("category_id").is_null()) << code;
  }
  // So do the validity windows codes inherit: every day but today's is the new rule; the codes
  // someone holds or redeemed keep having none.
  const auto days_since_epoch = std::chrono::duration_cast<std::chrono::hours>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count() /
                                24;
  const int today = static_cast<int>((days_since_epoch + 4) % 7);  // 1970-01-01 was a Thursday
  boost::json::array other_days;
  for (int d = 0; d < 7; ++d) {
    if (d != today) other_days.emplace_back(d);
  }
  ASSERT_EQ(put("/v1/campaigns/maint-reach",
                R"({"validity_day_of_week":)" + boost::json::serialize(other_days) + "}")
                .status,
            200);
  EXPECT_EQ(get("/v1/vouchers/MAINT-REACH-FREE").json().at("validity_day_of_week"),
            boost::json::value(other_days));
  EXPECT_FALSE(validation_outcome(R"({"object":"voucher","id":"MAINT-REACH-FREE"})", 1000).first);
  for (const char* code : {"MAINT-REACH-HELD", "MAINT-REACH-USED"}) {
    EXPECT_TRUE(
        get("/v1/vouchers/" + std::string(code)).json().at("validity_day_of_week").is_null())
        << code;
  }
  EXPECT_TRUE(validation_outcome(R"({"object":"voucher","id":"MAINT-REACH-USED"})", 1000).first);

  // Fixed at creation: refused, naming the field; echoing the stored value is fine.
  const auto stored = get("/v1/campaigns/maint-reach").json();
  const std::string echo = boost::json::serialize(stored.at("voucher"));
  EXPECT_EQ(put("/v1/campaigns/maint-reach", R"({"voucher":)" + echo + "}").status, 200);
  const auto code_config =
      put("/v1/campaigns/maint-reach", R"({"voucher":{"code_config":{"pattern":"NEW-####"}}})");
  expect_error(code_config, 400, "invalid_campaign_params");
  EXPECT_NE(code_config.body.find("code_config"), std::string::npos) << code_config.body;
  ASSERT_EQ(post("/v1/campaigns", R"({"name":"maint-reach-gift","campaign_type":"GIFT_VOUCHERS",)"
                                  R"("voucher":{"type":"GIFT_VOUCHER","gift":{"amount":5000}}})")
                .status,
            200);
  const auto gift = put("/v1/campaigns/maint-reach-gift",
                        R"({"voucher":{"type":"GIFT_VOUCHER","gift":{"amount":9000}}})");
  expect_error(gift, 400, "invalid_campaign_params");
  EXPECT_NE(gift.body.find("gift.amount"), std::string::npos) << gift.body;
}

}  // namespace
}  // namespace openpromo::testing

namespace openpromo::testing {
namespace {

// Spec 13.4: a campaign of more codes than CampaignService::kInlineDeleteLimit (10,000) is
// deleted by a background CAMPAIGN.VOUCHERS_DELETE job, whole: the request answers 202 with the
// action at once; when the action is DONE the campaign and every code are gone (binned, or for
// good with force, which frees the codes).
TEST_F(MaintenanceHttp, ALargeCampaignIsDeletedByABackgroundJob) {
  for (const bool force : {false, true}) {
    const std::string name = force ? "maint-large-force" : "maint-large-bin";
    ASSERT_NO_FATAL_FAILURE(large_campaign(name, 10050));
    const std::string code(get("/v1/vouchers?campaign=" + name + "&limit=1")
                               .json()
                               .at("vouchers")
                               .at(0)
                               .at("code")
                               .as_string());

    const auto deleted = del("/v1/campaigns/" + name + (force ? "?force=true" : ""));
    ASSERT_EQ(deleted.status, 202) << deleted.body;
    const std::string action(deleted.json().at("async_action_id").as_string());
    const auto queued = get("/v1/async-actions/" + action).json().as_object();
    EXPECT_EQ(queued.at("type").as_string(), "CAMPAIGN.VOUCHERS_DELETE");
    const auto done = poll_action(*client_, auth(), action, 120, action_finished);
    ASSERT_EQ(done.at("status").as_string(), "DONE") << boost::json::serialize(done);
    EXPECT_EQ(done.at("result").at("done_count").as_int64(), 10050);
    // Run by the job runner (which times what it runs), not before the answer.
    EXPECT_TRUE(done.contains("processing_time")) << boost::json::serialize(done);

    expect_error(get("/v1/campaigns/" + name), 404, "not_found");
    expect_error(get("/v1/vouchers/" + code), 404, "not_found");
    const auto bin = get("/v1/trash-bin?limit=100").json();
    bool binned = false;
    for (const auto& e : bin.at("data").as_array()) {
      binned = binned || e.at("resource_name").as_string() == name;
    }
    EXPECT_EQ(binned, !force);
    // Binned codes stay reserved; deleted ones are free again.
    const auto again =
        post("/v1/vouchers/" + code, R"({"type":"DISCOUNT_VOUCHER",)"
                                     R"("discount":{"type":"AMOUNT","amount_off":1}})");
    EXPECT_EQ(again.status, force ? 200 : 409) << again.body;
  }
}

}  // namespace
}  // namespace openpromo::testing

namespace openpromo::testing {
namespace {

// Spec 13.1: an edit whose reach rewrites more codes than CampaignService::kInlineUpdateLimit
// (10,000) runs as a CAMPAIGN.VOUCHERS_UPDATE job that applies the campaign and all its codes in
// one unit. The PUT answers 200 with the campaign as the change leaves it and the action's id; a
// PUT arriving while that job is queued is queued behind it, so the edits apply in order and
// neither is lost. A bad edit is refused at once, queueing nothing.
TEST_F(MaintenanceHttp, ALargeEditRunsAsABackgroundJobAndLaterEditsQueueBehindIt) {
  ASSERT_NO_FATAL_FAILURE(large_campaign("maint-large-edit", 10050));
  const auto listed = get("/v1/vouchers?campaign=maint-large-edit&limit=2").json();
  const std::string held(listed.at("vouchers").at(0).at("code").as_string());
  const std::string free(listed.at("vouchers").at(1).at("code").as_string());
  ASSERT_EQ(post("/v1/publications",
                 R"({"voucher":")" + held + R"(","customer":{"source_id":"maint-large-c"}})")
                .status,
            200);

  expect_error(
      put("/v1/campaigns/maint-large-edit", R"({"expiration_date":"2031-01-01T00:00:00Z",)"
                                            R"("voucher":{"code_config":{"pattern":"X-####"}}})"),
      400, "invalid_campaign_params");

  // The job runner runs one action at a time, oldest first: a larger generation queued just
  // before keeps the edit's action waiting while the second PUT arrives.
  const auto blocker = post("/v1/campaigns", R"({"name":"maint-large-edit-blocker",)"
                                             R"("campaign_type":"DISCOUNT_COUPONS",)"
                                             R"("vouchers_count":60000,"voucher":{)"
                                             R"("type":"DISCOUNT_VOUCHER","discount":{)"
                                             R"("type":"AMOUNT","amount_off":100}}})");
  ASSERT_EQ(blocker.status, 200) << blocker.body;
  const auto first = put("/v1/campaigns/maint-large-edit",
                         R"({"expiration_date":"2031-01-01T00:00:00Z","description":"first"})");
  ASSERT_EQ(first.status, 200) << first.body;
  const auto first_body = first.json();
  ASSERT_TRUE(first_body.as_object().contains("async_action_id")) << first.body;
  EXPECT_EQ(first_body.at("description").as_string(), "first");
  EXPECT_EQ(first_body.at("expiration_date").as_string(), "2031-01-01T00:00:00.000Z");
  // Queued behind the first even though it touches no code: it must not overtake it.
  const auto second = put("/v1/campaigns/maint-large-edit",
                          R"({"description":"second","metadata":{"edited":true}})");
  ASSERT_EQ(second.status, 200) << second.body;
  const auto second_body = second.json();
  const std::string second_action(second_body.at("async_action_id").as_string());

  const auto done_first =
      poll_action(*client_, auth(), std::string(first_body.at("async_action_id").as_string()), 120,
                  action_finished);
  ASSERT_EQ(done_first.at("status").as_string(), "DONE") << boost::json::serialize(done_first);
  EXPECT_EQ(done_first.at("type").as_string(), "CAMPAIGN.VOUCHERS_UPDATE");
  EXPECT_EQ(done_first.at("result").at("done_count").as_int64(), 10050);
  const auto done_second = poll_action(*client_, auth(), second_action, 120, action_finished);
  ASSERT_EQ(done_second.at("status").as_string(), "DONE") << boost::json::serialize(done_second);

  const auto campaign = get("/v1/campaigns/maint-large-edit").json();
  EXPECT_EQ(campaign.at("description").as_string(), "second");
  EXPECT_EQ(campaign.at("expiration_date").as_string(), "2031-01-01T00:00:00.000Z");
  EXPECT_TRUE(campaign.at("metadata").at("edited").as_bool());
  EXPECT_EQ(get("/v1/vouchers/" + free).json().at("expiration_date").as_string(),
            "2031-01-01T00:00:00.000Z");
  EXPECT_TRUE(get("/v1/vouchers/" + held).json().at("expiration_date").is_null());
  // The audit log has both edits, in the order they were asked for.
  const auto log = get("/v1/campaigns/maint-large-edit/audit?limit=2").json();
  ASSERT_EQ(log.at("data").as_array().size(), 2U);
  EXPECT_EQ(log.at("data").at(0).at("after").at("description").as_string(), "second");
  EXPECT_EQ(log.at("data").at(1).at("after").at("description").as_string(), "first");

  // Nothing queued any more: an edit of the campaign's own fields applies at once.
  const auto now = put("/v1/campaigns/maint-large-edit", R"({"description":"third"})");
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_FALSE(now.json().as_object().contains("async_action_id")) << now.body;
  EXPECT_EQ(get("/v1/campaigns/maint-large-edit").json().at("description").as_string(), "third");
}

}  // namespace
}  // namespace openpromo::testing

namespace openpromo::testing {
namespace {

// An edit of the dates made while a campaign's codes are still being generated reaches every
// code: those written before it (by the edit's own reach, inline or as an action) and every
// batch written after it (each batch takes the campaign's dates and category as they are then).
TEST_F(MaintenanceHttp, AnEditDuringGenerationReachesEveryCode) {
  const auto created = post("/v1/campaigns", R"({"name":"maint-edit-generating",)"
                                             R"("campaign_type":"DISCOUNT_COUPONS",)"
                                             R"("vouchers_count":60000,"voucher":{)"
                                             R"("type":"DISCOUNT_VOUCHER","discount":{)"
                                             R"("type":"AMOUNT","amount_off":100}}})");
  ASSERT_EQ(created.status, 200) << created.body;
  const auto edited =
      put("/v1/campaigns/maint-edit-generating", R"({"expiration_date":"2032-01-01T00:00:00Z"})");
  ASSERT_EQ(edited.status, 200) << edited.body;
  const auto generated =
      poll_action(*client_, auth(), std::string(created.json().at("async_action_id").as_string()),
                  120, action_finished);
  ASSERT_EQ(generated.at("status").as_string(), "DONE");
  const auto edit = edited.json();
  if (const auto* queued = edit.as_object().if_contains("async_action_id")) {
    const auto applied =
        poll_action(*client_, auth(), std::string(queued->as_string()), 120, action_finished);
    ASSERT_EQ(applied.at("status").as_string(), "DONE");
  }
  const auto stale = get("/v1/vouchers?campaign=maint-edit-generating&limit=1"
                         "&filters[expiration_date][conditions][$is_unknown]=true")
                         .json();
  EXPECT_EQ(stale.at("total").as_int64(), 0) << "codes generated with the old (no) expiry";
  const auto all = get("/v1/vouchers?campaign=maint-edit-generating&limit=1").json();
  EXPECT_EQ(all.at("total").as_int64(), 60000);
}

}  // namespace
}  // namespace openpromo::testing

namespace openpromo::testing {
namespace {

// Spec 13.4: products (with their SKUs) and SKUs go to the bin like campaigns: hidden, their
// source ids taken until the entry is purged; force deletes for good.
TEST_F(MaintenanceHttp, ProductsAndSkusGoToTheBinUntilPurged) {
  ASSERT_EQ(post("/v1/products", R"({"source_id":"maint-prod","name":"Maint product"})").status,
            200);
  ASSERT_EQ(post("/v1/products/maint-prod/skus", R"({"source_id":"maint-sku-a","sku":"A"})").status,
            200);
  ASSERT_EQ(post("/v1/products/maint-prod/skus", R"({"source_id":"maint-sku-b","sku":"B"})").status,
            200);
  const auto entry_of = [&](const std::string& name) -> std::string {
    const auto bin = get("/v1/trash-bin?limit=100").json();
    for (const auto& e : bin.at("data").as_array()) {
      if (e.at("resource_name").as_string() == name) return std::string(e.at("id").as_string());
    }
    return "";
  };

  // One SKU on its own: binned under its product.
  EXPECT_EQ(del("/v1/products/maint-prod/skus/maint-sku-a").status, 204);
  expect_error(get("/v1/skus/maint-sku-a"), 404, "not_found");
  const std::string sku_entry = entry_of("A");
  ASSERT_FALSE(sku_entry.empty());
  EXPECT_EQ(get("/v1/products/maint-prod/skus").json().at("total").as_int64(), 1);

  // The product, with the SKU it still has.
  EXPECT_EQ(del("/v1/products/maint-prod").status, 204);
  expect_error(get("/v1/products/maint-prod"), 404, "not_found");
  expect_error(get("/v1/skus/maint-sku-b"), 404, "not_found");
  const auto products = get("/v1/products?limit=100").json();
  for (const auto& p : products.at("products").as_array()) {
    EXPECT_NE(p.at("source_id"), "maint-prod");
  }
  const std::string product_entry = entry_of("Maint product");
  ASSERT_FALSE(product_entry.empty());
  const auto bin = get("/v1/trash-bin?limit=100").json();
  for (const auto& e : bin.at("data").as_array()) {
    if (e.at("id").as_string() == product_entry) {
      EXPECT_EQ(e.at("resource_type").as_string(), "product");
    }
    if (e.at("id").as_string() == sku_entry) {
      EXPECT_EQ(e.at("resource_type").as_string(), "sku");
      EXPECT_FALSE(e.at("resource_parent_id").is_null());
    }
  }
  // Source ids stay taken while binned.
  expect_error(post("/v1/products", R"({"source_id":"maint-prod","name":"again"})"), 409,
               "duplicate_found");

  // Purging the product's entry deletes it with all its SKUs (and the SKU's entry); the source
  // ids are free again.
  EXPECT_EQ(del("/v1/trash-bin/" + product_entry).status, 204);
  EXPECT_TRUE(entry_of("Maint product").empty());
  EXPECT_TRUE(entry_of("A").empty());
  ASSERT_EQ(post("/v1/products", R"({"source_id":"maint-prod","name":"again"})").status, 200);
  EXPECT_EQ(
      post("/v1/products/maint-prod/skus", R"({"source_id":"maint-sku-a","sku":"A2"})").status,
      200);

  // force: gone at once, no bin entry.
  EXPECT_EQ(del("/v1/products/maint-prod?force=true").status, 204);
  EXPECT_TRUE(entry_of("again").empty());
  EXPECT_EQ(post("/v1/products", R"({"source_id":"maint-prod","name":"third"})").status, 200);
}

}  // namespace
}  // namespace openpromo::testing

namespace openpromo::testing {
namespace {

// Spec 13.1: a campaign that uses the voucher metadata schema gives its codes the template's
// metadata, so an edit of it reaches every code (held ones too); a code's own keys win. Without
// the flag codes keep only their own.
TEST_F(MaintenanceHttp, TemplateMetadataReachesEveryCodeOfACampaignUsingTheSchema) {
  for (const bool shared : {true, false}) {
    const std::string name = shared ? "maint-meta-shared" : "maint-meta-own";
    ASSERT_EQ(post("/v1/campaigns", R"({"name":")" + name +
                                        R"(","campaign_type":"DISCOUNT_COUPONS",)"
                                        R"("use_voucher_metadata_schema":)" +
                                        (shared ? "true" : "false") +
                                        R"(,"voucher":{"type":"DISCOUNT_VOUCHER",)"
                                        R"("metadata":{"tier":"silver","region":"EU"},)"
                                        R"("discount":{"type":"AMOUNT","amount_off":100}}})")
                  .status,
              200);
    const std::string held = name + "-HELD", own = name + "-OWN";
    ASSERT_EQ(post("/v1/campaigns/" + name + "/vouchers/" + held, "{}").status, 200);
    ASSERT_EQ(post("/v1/campaigns/" + name + "/vouchers/" + own, R"({"metadata":{"region":"US"}})")
                  .status,
              200);
    ASSERT_EQ(post("/v1/publications",
                   R"({"voucher":")" + held + R"(","customer":{"source_id":"maint-meta-c"}})")
                  .status,
              200);
    ASSERT_EQ(
        put("/v1/campaigns/" + name, R"({"voucher":{"metadata":{"tier":"gold","region":"EU"}}})")
            .status,
        200);
    const auto held_meta = get("/v1/vouchers/" + held).json().at("metadata");
    const auto own_meta = get("/v1/vouchers/" + own).json().at("metadata");
    if (shared) {
      EXPECT_EQ(held_meta, boost::json::parse(R"({"tier":"gold","region":"EU"})"));
      EXPECT_EQ(own_meta, boost::json::parse(R"({"tier":"gold","region":"US"})"));
    } else {
      EXPECT_EQ(held_meta, boost::json::parse("{}"));
      EXPECT_EQ(own_meta, boost::json::parse(R"({"region":"US"})"));
    }
  }
}

}  // namespace
}  // namespace openpromo::testing
