// Campaign templates (issue 15, contract tag templates): a template keeps a campaign's (or a
// tier's) configuration and copies of its rules; campaigns and tiers set up from it validate as
// the source did, with fresh rules, and a setup that fails leaves nothing behind.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "support/http_client.h"
#include "support/shared_server_test.h"

namespace openpromo::testing {
namespace {

class TemplateHttp : public SharedServerTest {
 protected:
  std::string id_of(const HttpResult& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(r.json().at("id").as_string()) : "";
  }
  int64_t rule_count() { return get("/v1/validation-rules").json().at("total").as_int64(); }
};

TEST_F(TemplateHttp, ACampaignSetUpFromATemplateValidatesAsTheSourceDidWithItsOwnRules) {
  const std::string rule = id_of(
      post("/v1/validation-rules", R"({"name":"tpl-min-5000","rules":{"1":{"name":"order.amount",)"
                                   R"("conditions":{"$more_than_equal":[5000]}}},"logic":"1"})"));
  const std::string source =
      id_of(post("/v1/campaigns", R"({"name":"tpl-source","campaign_type":"DISCOUNT_COUPONS",)"
                                  R"("description":"Autumn","join_once":true,)"
                                  R"("metadata":{"team":"growth"},"validation_rules":[")" +
                                      rule +
                                      R"("],"voucher":{"type":"DISCOUNT_VOUCHER",)"
                                      R"("discount":{"type":"AMOUNT","amount_off":700},)"
                                      R"("code_config":{"pattern":"TPL-####"}}})"));
  const auto made =
      post("/v1/templates/campaigns",
           R"({"name":"tpl-autumn","description":"every year","campaign_id":")" + source + "\"}");
  ASSERT_EQ(made.status, 200) << made.body;
  const auto t = made.json().as_object();
  const std::string tpl(t.at("id").as_string());
  EXPECT_EQ(tpl.rfind("camp_tpl_", 0), 0u);
  EXPECT_EQ(t.at("object").as_string(), "campaign_template");
  EXPECT_EQ(t.at("campaign_type").as_string(), "DISCOUNT_COUPONS");
  EXPECT_EQ(t.at("description").as_string(), "every year");

  // Later changes to the source's rule do not reach the template.
  ASSERT_EQ(
      put("/v1/validation-rules/" + rule,
          R"({"rules":{"1":{"name":"order.amount","conditions":{"$more_than_equal":[90000]}}},)"
          R"("logic":"1"})")
          .status,
      200);

  const int64_t rules_before = rule_count();
  const auto setup = post("/v1/templates/campaigns/" + tpl + "/campaign-setup",
                          R"({"name":"tpl-made","vouchers_count":1,"auto_join":true})");
  ASSERT_EQ(setup.status, 200) << setup.body;
  const auto s = setup.json().as_object();
  EXPECT_EQ(s.at("object").as_string(), "campaign_setup");
  const auto& c = s.at("campaign").as_object();
  EXPECT_EQ(c.at("name").as_string(), "tpl-made");
  EXPECT_EQ(c.at("description").as_string(), "Autumn");
  EXPECT_TRUE(c.at("join_once").as_bool());
  EXPECT_TRUE(c.at("auto_join").as_bool()) << "the request's value replaces the template's";
  EXPECT_EQ(c.at("metadata"), boost::json::parse(R"({"team":"growth"})"));
  EXPECT_EQ(c.at("voucher").at("discount").at("amount_off").as_int64(), 700);
  EXPECT_EQ(c.at("voucher").at("code_config").at("pattern").as_string(), "TPL-####");
  // One new rule, listed as created and assigned to the campaign; not the source's.
  const auto& created = s.at("created_resources").as_array();
  ASSERT_EQ(created.size(), 1u);
  const std::string copy(created[0].at("id").as_string());
  EXPECT_NE(copy, rule);
  EXPECT_EQ(created[0].at("object").as_string(), "validation_rules");
  EXPECT_EQ(rule_count(), rules_before + 1);
  const auto& assigned = c.at("validation_rules_assignments").at("data").as_array();
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].at("rule_id").as_string(), copy);

  // Its code validates as the source did when the template was made (at least 5000).
  const auto codes = get("/v1/vouchers?campaign=tpl-made").json().at("vouchers").as_array();
  ASSERT_EQ(codes.size(), 1u);
  const std::string code(codes[0].at("code").as_string());
  EXPECT_EQ(code.rfind("TPL-", 0), 0u);
  const std::string redeemable = R"({"object":"voucher","id":")" + code + "\"}";
  EXPECT_EQ(validation_outcome(redeemable, 6000), std::make_pair(true, int64_t{700}));
  EXPECT_FALSE(validation_outcome(redeemable, 4000).first);

  // The template is listed, renamed, and deleted; campaigns made from it stay.
  const auto listed = get("/v1/templates/campaigns").json().as_object();
  EXPECT_EQ(listed.at("data_ref").as_string(), "data");
  EXPECT_EQ(listed.at("data").as_array().at(0).at("id").as_string(), tpl);
  const auto renamed = put("/v1/templates/campaigns/" + tpl, R"({"name":"tpl-autumn-2"})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json().at("name").as_string(), "tpl-autumn-2");
  EXPECT_TRUE(renamed.json().as_object().contains("updated_at"));
  EXPECT_EQ(del("/v1/templates/campaigns/" + tpl).status, 204);
  expect_error(get("/v1/templates/campaigns/" + tpl), 404, "not_found");
  EXPECT_EQ(get("/v1/campaigns/tpl-made").status, 200);
}

TEST_F(TemplateHttp, ATierTemplateSetsUpTiersAndDiscountCampaigns) {
  const std::string promo =
      id_of(post("/v1/campaigns", R"({"name":"tpl-promo","campaign_type":"PROMOTION"})"));
  const std::string rule = id_of(
      post("/v1/validation-rules", R"({"name":"tpl-tier-min","rules":{"1":{"name":"order.amount",)"
                                   R"("conditions":{"$more_than_equal":[3000]}}},"logic":"1"})"));
  const auto tier = post("/v1/promotions/" + promo + "/tiers",
                         R"({"name":"tpl-tier","validation_rules":[")" + rule +
                             R"("],"action":{"discount":{"type":"PERCENT","percent_off":10}}})");
  const std::string tier_id = id_of(tier);
  const std::string tpl =
      id_of(post("/v1/templates/campaigns",
                 R"({"name":"tpl-from-tier","promotion_tier_id":")" + tier_id + "\"}"));
  EXPECT_EQ(get("/v1/templates/campaigns/" + tpl).json().at("campaign_type").as_string(),
            "DISCOUNT_COUPONS");

  const std::string other =
      id_of(post("/v1/campaigns", R"({"name":"tpl-promo-2","campaign_type":"PROMOTION"})"));
  const auto added = post("/v1/templates/campaigns/" + tpl + "/tier-setup",
                          R"({"name":"tpl-tier-copy","campaign_id":")" + other + "\"}");
  ASSERT_EQ(added.status, 200) << added.body;
  const auto a = added.json().as_object();
  EXPECT_EQ(a.at("object").as_string(), "promotion_tier_setup");
  const auto& t = a.at("promotion_tier").as_object();
  EXPECT_EQ(t.at("campaign_id").as_string(), other);
  EXPECT_EQ(t.at("action").at("discount").at("percent_off").as_int64(), 10);
  ASSERT_EQ(a.at("created_resources").as_array().size(), 1u);
  const std::string tier_redeemable =
      R"({"object":"promotion_tier","id":")" + std::string(t.at("id").as_string()) + "\"}";
  EXPECT_EQ(validation_outcome(tier_redeemable, 4000), std::make_pair(true, int64_t{400}));
  EXPECT_FALSE(validation_outcome(tier_redeemable, 2000).first);

  // The same template as a discount campaign.
  const auto coupons =
      post("/v1/templates/campaigns/" + tpl + "/campaign-setup", R"({"name":"tpl-tier-coupons"})");
  ASSERT_EQ(coupons.status, 200) << coupons.body;
  EXPECT_EQ(coupons.json().at("campaign").at("campaign_type").as_string(), "DISCOUNT_COUPONS");
  EXPECT_EQ(coupons.json().at("campaign").at("voucher").at("discount").at("percent_off").as_int64(),
            10);
}

TEST_F(TemplateHttp, BadRequestsAreRefusedAndAFailedSetupLeavesNoRules) {
  const std::string promo =
      id_of(post("/v1/campaigns", R"({"name":"tpl-bad-promo","campaign_type":"PROMOTION"})"));
  expect_error(
      post("/v1/templates/campaigns", R"({"name":"tpl-bad","campaign_id":")" + promo + "\"}"), 400,
      "invalid_payload");
  expect_error(post("/v1/templates/campaigns", R"({"name":"tpl-bad"})"), 400, "invalid_payload");
  expect_error(post("/v1/templates/campaigns", R"({"campaign_id":")" + promo + "\"}"), 400,
               "invalid_payload");
  expect_error(post("/v1/templates/campaigns", R"({"name":"x","campaign_id":"camp_nope"})"), 404,
               "not_found");

  const std::string rule = id_of(
      post("/v1/validation-rules", R"({"name":"tpl-bad-rule","rules":{"1":{"name":"order.amount",)"
                                   R"("conditions":{"$more_than":[1]}}},"logic":"1"})"));
  const std::string gift =
      id_of(post("/v1/campaigns",
                 R"({"name":"tpl-gift","campaign_type":"GIFT_VOUCHERS",)"
                 R"("validation_rules":[")" +
                     rule + R"("],"voucher":{"type":"GIFT_VOUCHER","gift":{"amount":100}}})"));
  const std::string tpl = id_of(
      post("/v1/templates/campaigns", R"({"name":"tpl-gift","campaign_id":")" + gift + "\"}"));
  expect_error(
      post("/v1/templates/campaigns", R"({"name":"tpl-gift","campaign_id":")" + gift + "\"}"), 409,
      "duplicate_found");
  // A gift template makes no tiers; a tier takes no action of its own.
  expect_error(post("/v1/templates/campaigns/" + tpl + "/tier-setup",
                    R"({"name":"t","campaign_id":")" + promo + "\"}"),
               400, "invalid_payload");
  expect_error(post("/v1/templates/campaigns/" + tpl + "/campaign-setup", R"({})"), 400,
               "invalid_payload");
  // A setup that fails (the name is taken) leaves no copied rule behind.
  const int64_t rules_before = rule_count();
  const auto taken =
      post("/v1/templates/campaigns/" + tpl + "/campaign-setup", R"({"name":"tpl-gift"})");
  EXPECT_GE(taken.status, 400) << taken.body;
  EXPECT_EQ(rule_count(), rules_before);
  // And one that fails after the campaign row is written (its rule copy's name is taken) leaves
  // neither the campaign nor a rule: they are one unit.
  id_of(post("/v1/validation-rules", R"J({"name":"tpl-bad-rule (tpl-gift-2)","rules":{"1":)J"
                                     R"({"name":"order.amount","conditions":{"$more_than":[1]}}},)"
                                     R"("logic":"1"})"));
  const int64_t rules_now = rule_count();
  expect_error(
      post("/v1/templates/campaigns/" + tpl + "/campaign-setup", R"({"name":"tpl-gift-2"})"), 409,
      "duplicate_found");
  EXPECT_EQ(rule_count(), rules_now);
  expect_error(get("/v1/campaigns/tpl-gift-2"), 404, "not_found");
  expect_alive();
}

}  // namespace
}  // namespace openpromo::testing
