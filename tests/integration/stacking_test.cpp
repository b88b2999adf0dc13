// Stacking rules through the management API against the real binary (issue 13): one set per
// project, every field checked, the settings used by validation, redemption and rollback at
// once, echoed in their answers, and categories they name kept.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/shared_server_test.h"

namespace openpromo::testing {
namespace {

class StackingHttp : public SharedServerTest {
 protected:
  static constexpr const char* kBase = "/management/v1/projects/me/stacking-rules";
  HttpResult del(const std::string& path) { return client_->request("DELETE", path, "", auth()); }
  // Removes the project's set, if any, so each test starts from the defaults.
  void reset() {
    const auto all = get(kBase).json();
    for (const auto& s : all.at("data").as_array()) {
      ASSERT_EQ(del(std::string(kBase) + "/" + std::string(s.at("id").as_string())).status, 204);
    }
  }
  std::string category(const std::string& name, int hierarchy) {
    const auto r = post("/v1/categories", R"({"name":")" + name + R"(","hierarchy":)" +
                                              std::to_string(hierarchy) + "}");
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().at("id").as_string());
  }
  void voucher(const std::string& code, const std::string& category_id, int64_t amount_off) {
    const auto r =
        post("/v1/vouchers/" + code, R"({"type":"DISCOUNT_VOUCHER","category_id":")" + category_id +
                                         R"(","discount":{"type":"AMOUNT","amount_off":)" +
                                         std::to_string(amount_off) + "}}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
};

TEST_F(StackingHttp, OneSetPerProjectWithEveryFieldCheckedAndDefaultsFilledIn) {
  reset();
  const auto created = post(kBase, R"({"applicable_redeemables_limit":3})");
  ASSERT_EQ(created.status, 200) << created.body;
  const auto j = created.json();
  const std::string id(j.at("id").as_string());
  EXPECT_TRUE(id.starts_with("stk_")) << id;
  EXPECT_EQ(j.at("applicable_redeemables_limit").as_int64(), 3);
  EXPECT_EQ(j.at("redeemables_limit").as_int64(), 30);
  EXPECT_EQ(j.at("applicable_redeemables_per_category_limit").as_int64(), 1);
  EXPECT_EQ(j.at("applicable_exclusive_redeemables_limit").as_int64(), 1);
  EXPECT_EQ(j.at("redeemables_application_mode").as_string(), "ALL");
  EXPECT_EQ(j.at("redeemables_sorting_rule").as_string(), "REQUESTED_ORDER");
  EXPECT_EQ(j.at("redeemables_products_application_mode").as_string(), "STACK");
  EXPECT_EQ(j.at("redeemables_no_effect_rule").as_string(), "REDEEM_ANYWAY");
  EXPECT_EQ(j.at("discount_calculation_mode").as_string(), "DISCOUNTED_AMOUNT");
  EXPECT_EQ(j.at("redeemables_rollback_order_mode").as_string(), "WITH_ORDER");
  EXPECT_TRUE(j.as_object().contains("created_at"));

  expect_error(post(kBase, "{}"), 409, "stacking_rules_exist");
  const auto listed = get(kBase);
  EXPECT_EQ(listed.json().at("total").as_int64(), 1);
  EXPECT_EQ(get(std::string(kBase) + "/" + id).status, 200);
  expect_error(get(std::string(kBase) + "/stk_nope"), 404, "not_found");

  // PUT changes what it sends and keeps the rest.
  const auto updated =
      put(std::string(kBase) + "/" + id, R"({"redeemables_application_mode":"PARTIAL"})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json().at("redeemables_application_mode").as_string(), "PARTIAL");
  EXPECT_EQ(updated.json().at("applicable_redeemables_limit").as_int64(), 3);
  EXPECT_TRUE(updated.json().as_object().contains("updated_at"));

  // Out of range, wrong types, contradictions, unknown fields and categories: 400 naming them.
  const std::string at = std::string(kBase) + "/" + id;
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"redeemables_limit":31})", "redeemables_limit"},
           {R"({"redeemables_limit":0})", "redeemables_limit"},
           {R"({"applicable_redeemables_limit":2.5})", "applicable_redeemables_limit"},
           {R"({"applicable_exclusive_redeemables_limit":6})",
            "applicable_exclusive_redeemables_limit"},
           {R"({"redeemables_limit":2,"applicable_redeemables_limit":3})",
            "applicable_redeemables_limit"},
           {R"({"applicable_redeemables_category_limits":{"cat_x":11}})",
            "applicable_redeemables_category_limits"},
           {R"({"redeemables_application_mode":"SOME"})", "redeemables_application_mode"},
           {R"({"grouped_redeemables_sorting_rule":"JOINT_FIRST"})",
            "grouped_redeemables_sorting_rule"},
           {R"({"exclusive_categories":"cat_x"})", "exclusive_categories"},
           {R"({"exclusive_categories":["cat_nope"]})", "cat_nope"},
           {R"({"favourite_colour":"blue"})", "favourite_colour"}}) {
    const auto r = put(at, body);
    expect_error(r, 400, "invalid_payload");
    EXPECT_NE(r.body.find(field), std::string::npos) << body << " -> " << r.body;
  }
  EXPECT_EQ(get(at).json().at("redeemables_limit").as_int64(), 30)
      << "a refused change writes nothing";

  EXPECT_EQ(del(at).status, 204);
  expect_error(get(at), 404, "not_found");
  EXPECT_EQ(post(kBase, "{}").status, 200) << "after a delete, a new set may be created";
  reset();
}

TEST_F(StackingHttp, SettingsApplyAtOnceAndAreEchoed) {
  reset();
  const std::string cat = category("stack-common", 1);
  voucher("STK-A", cat, 100);
  voucher("STK-B", cat, 200);
  const std::string body = R"({"redeemables":[{"object":"voucher","id":"STK-A"},)"
                           R"({"object":"voucher","id":"STK-B"}],"order":{"amount":10000}})";
  // Defaults: one per category, so the second is skipped.
  auto v = post("/v1/validations", body);
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(v.json().at("redeemables").at(1).at("status").as_string(), "SKIPPED");
  EXPECT_EQ(
      v.json().at("stacking_rules").at("applicable_redeemables_per_category_limit").as_int64(), 1);
  const auto created = post(kBase, R"({"applicable_redeemables_per_category_limit":2,)"
                                   R"("applicable_redeemables_category_limits":{")" +
                                       cat + R"(":2}})");
  ASSERT_EQ(created.status, 200) << created.body;
  v = post("/v1/validations", body);
  EXPECT_EQ(v.json().at("redeemables").at(1).at("status").as_string(), "APPLICABLE") << v.body;
  EXPECT_EQ(
      v.json().at("stacking_rules").at("applicable_redeemables_per_category_limit").as_int64(), 2);
  // Redemption and qualification echo them too.
  const auto r = post("/v1/redemptions", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      r.json().at("stacking_rules").at("applicable_redeemables_per_category_limit").as_int64(), 2);
  EXPECT_EQ(r.json().at("redemptions").as_array().size(), 2u);
  const auto q = post("/v1/qualifications", R"({"order":{"amount":10000}})");
  EXPECT_EQ(
      q.json().at("stacking_rules").at("applicable_redeemables_per_category_limit").as_int64(), 2);

  // A category the rules name cannot be deleted.
  expect_error(del("/v1/categories/" + cat), 400, "resource_in_use");
  reset();
}

TEST_F(StackingHttp, WithoutOrderRollbacksLeaveTheOrderAsItIs) {
  reset();
  ASSERT_EQ(post(kBase, R"({"redeemables_rollback_order_mode":"WITHOUT_ORDER"})").status, 200);
  const std::string cat = category("stack-rollback", 1);
  voucher("STK-ROLL", cat, 300);
  const auto r = post("/v1/redemptions", R"({"redeemables":[{"object":"voucher","id":"STK-ROLL"}],)"
                                         R"("order":{"amount":5000}})");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string parent(r.json().at("parent_redemption").at("id").as_string());
  const std::string order(r.json().at("order").at("id").as_string());
  const auto back = post("/v1/redemptions/" + parent + "/rollbacks", "{}");
  ASSERT_EQ(back.status, 200) << back.body;
  const auto stored = get("/v1/orders/" + order).json();
  EXPECT_EQ(stored.at("status").as_string(), "PAID");
  EXPECT_EQ(stored.at("total_amount").as_int64(), 4700) << "the discount stays on the order";
  EXPECT_EQ(get("/v1/vouchers/STK-ROLL").json().at("redemption").at("redeemed_quantity").as_int64(),
            0)
      << "the code's use is given back all the same";
  reset();
}

// Best deal on a redemption: the larger of two vouchers of one category is redeemed although
// requested second; the one left out is not consumed.
TEST_F(StackingHttp, ABestDealRedemptionConsumesOnlyWhatItApplies) {
  reset();
  const std::string cat = category("stack-best", 1);
  voucher("STK-SMALL", cat, 100);
  voucher("STK-LARGE", cat, 900);
  const std::string redeemables =
      R"({"redeemables":[{"object":"voucher","id":"STK-SMALL"},)"
      R"({"object":"voucher","id":"STK-LARGE"}],"order":{"amount":5000})";
  // As requested: the small one applies, the large one is over the per-category limit.
  auto v = post("/v1/validations", redeemables + "}");
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(v.json().at("order").at("total_discount_amount").as_int64(), 100);
  const auto r = post("/v1/redemptions", redeemables + R"(,"options":{"best_deal":true}})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = r.json();
  ASSERT_EQ(body.at("redemptions").as_array().size(), 1u) << r.body;
  EXPECT_EQ(body.at("redemptions").at(0).at("voucher").at("code").as_string(), "STK-LARGE");
  EXPECT_EQ(body.at("order").at("total_discount_amount").as_int64(), 900);
  EXPECT_EQ(
      get("/v1/vouchers/STK-LARGE").json().at("redemption").at("redeemed_quantity").as_int64(), 1);
  EXPECT_EQ(
      get("/v1/vouchers/STK-SMALL").json().at("redemption").at("redeemed_quantity").as_int64(), 0);
  expect_error(post("/v1/redemptions", redeemables + R"(,"options":{"best_deal":1}})"), 400,
               "invalid_payload");
  reset();
}

// Spec 10.3: a campaign has one category; tiers and stacks may have their own. A tier takes its
// own category, else (applied as part of a stack) the stack's, else its campaign's.
TEST_F(StackingHttp, TiersTakeTheirOwnThenTheStacksThenTheCampaignsCategory) {
  reset();
  const std::string campaign_cat = category("stack-campaign-cat", 3);
  const std::string stack_cat = category("stack-stack-cat", 2);
  const std::string own_cat = category("stack-own-cat", 1);
  const auto c = post("/v1/campaigns", R"({"name":"stack categories","campaign_type":"PROMOTION",)"
                                       R"("category_id":")" +
                                           campaign_cat + R"("})");
  ASSERT_EQ(c.status, 200) << c.body;
  const std::string campaign(c.json().at("id").as_string());
  auto tier = [&](const std::string& name, const std::string& category_id) {
    std::string body =
        R"({"name":")" + name + R"(","action":{"discount":{"type":"AMOUNT","amount_off":100}})";
    if (!category_id.empty()) body += R"(,"category_id":")" + category_id + R"(")";
    const auto r = post("/v1/promotions/" + campaign + "/tiers", body + "}");
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().at("id").as_string());
  };
  const std::string plain = tier("no category", "");
  const std::string own = tier("own category", own_cat);
  const auto st =
      post("/v1/promotions/" + campaign + "/stacks",
           R"({"name":"with category","category_id":")" + stack_cat + R"(","tiers":{"ids":[")" +
               plain + R"(",")" + own + R"("],"hierarchy_mode":"MANUAL"}})");
  ASSERT_EQ(st.status, 200) << st.body;
  const std::string stack(st.json().at("id").as_string());
  auto category_of = [](const boost::json::value& redeemable) {
    return std::string(redeemable.at("categories").at(0).at("id").as_string());
  };

  // Alone, the plain tier has its campaign's category.
  auto v = post("/v1/validations", R"({"redeemables":[{"object":"promotion_tier","id":")" + plain +
                                       R"("}],"order":{"amount":10000}})");
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(category_of(v.json().at("redeemables").at(0)), campaign_cat) << v.body;
  // In the stack: the stack's for the plain tier, its own for the other.
  v = post("/v1/validations", R"({"redeemables":[{"object":"promotion_stack","id":")" + stack +
                                  R"("}],"order":{"amount":10000}})");
  ASSERT_EQ(v.status, 200) << v.body;
  const auto body = v.json();
  ASSERT_EQ(body.at("redeemables").as_array().size(), 2u) << v.body;
  EXPECT_EQ(category_of(body.at("redeemables").at(0)), stack_cat) << v.body;
  EXPECT_EQ(category_of(body.at("redeemables").at(1)), own_cat) << v.body;

  // The stack's category takes part in stacking: Never stackable, it keeps Common ones out.
  ASSERT_EQ(post(kBase, R"({"exclusive_categories":[")" + stack_cat + R"("]})").status, 200);
  v = post("/v1/validations", R"({"redeemables":[{"object":"promotion_stack","id":")" + stack +
                                  R"("}],"order":{"amount":10000}})");
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(v.json().at("redeemables").at(0).at("status").as_string(), "APPLICABLE") << v.body;
  EXPECT_EQ(v.json().at("redeemables").at(0).at("categories").at(0).at("stacking_rules_type"),
            "EXCLUSIVE");
  EXPECT_EQ(v.json().at("redeemables").at(1).at("status").as_string(), "SKIPPED") << v.body;
  reset();
}

TEST_F(StackingHttp, AUserKeyMayReadButNotChangeThem) {
  reset();
  const auto made = run_openpromo({"keys", "create", "--db", server()->db_url(), "--role", "user"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const auto key = boost::json::parse(made.out).as_object();
  const HeaderList user{{"X-App-Id", std::string(key.at("app_id").as_string())},
                        {"X-App-Token", std::string(key.at("app_token").as_string())},
                        {"Content-Type", "application/json"}};
  expect_error(client_->request("POST", kBase, "{}", user), 403, "missing_required_permission");
  ASSERT_EQ(post(kBase, "{}").status, 200);
  EXPECT_EQ(client_->request("GET", kBase, "", user).status, 200);
  reset();
}

}  // namespace
}  // namespace openpromo::testing
