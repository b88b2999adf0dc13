// Code publication (issue 14, spec 12) against the real binary: codes go to one customer each,
// source ids make calls retry-safe, join_once gives one code per customer, and the limits hold
// under concurrent requests.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <functional>
#include <latch>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/shared_server_test.h"

namespace openpromo::testing {
namespace {

class PublicationHttp : public SharedServerTest {
 protected:
  // A STATIC or AUTO_UPDATE campaign of `codes` generated codes; its id.
  std::string campaign(const std::string& name, const std::string& type, int codes,
                       const std::string& extra = "",
                       const std::string& campaign_type = "DISCOUNT_COUPONS") {
    const auto r = post("/v1/campaigns", R"({"name":")" + name + R"(","type":")" + type +
                                             R"(","campaign_type":")" + campaign_type +
                                             R"(",)"
                                             R"("vouchers_count":)" +
                                             std::to_string(codes) + extra +
                                             R"(,"voucher":{"type":"DISCOUNT_VOUCHER",)"
                                             R"("discount":{"type":"AMOUNT","amount_off":100}}})");
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string id(r.json().at("id").as_string());
    // Generation runs in the background: wait for the codes.
    for (int i = 0; i < 200; ++i) {
      const auto c = get("/v1/campaigns/" + id).json();
      if (c.at("vouchers_count").as_int64() >= codes &&
          c.at("vouchers_generation_status").as_string() == "DONE") {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return id;
  }
  // Publishes one code of `campaign_name` to `customer`; the code.
  std::string publish_one(const std::string& campaign_name, const std::string& customer) {
    const auto r =
        post("/v1/publications", R"({"campaign":{"name":")" + campaign_name +
                                     R"("},"customer":{"source_id":")" + customer + R"("}})");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? std::string(r.json().at("voucher").at("code").as_string()) : "";
  }
  std::vector<HttpResult> race(int clients, const std::function<HttpResult(HttpClient&, int)>& f) {
    std::vector<HttpResult> results(static_cast<size_t>(clients));
    std::latch ready(clients);
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
      threads.emplace_back([&, i] {
        HttpClient client(server()->port());
        client.connect();
        ready.arrive_and_wait();
        results[static_cast<size_t>(i)] = f(client, i);
      });
    }
    for (auto& t : threads) t.join();
    return results;
  }
};

TEST_F(PublicationHttp, ACampaignCodeGoesToOneCustomerAndShowsItsHolder) {
  const std::string camp = campaign("pub-basic", "STATIC", 3);
  const auto r = post("/v1/publications",
                      R"({"campaign":{"name":"pub-basic","count":1},"customer":{"source_id":)"
                      R"("pub-alice","name":"Alice"},"metadata":{"k":1},"channel":"mine"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto p = r.json();
  ASSERT_TRUE(p.as_object().contains("voucher")) << r.body;
  EXPECT_EQ(p.at("object").as_string(), "publication");
  EXPECT_EQ(std::string(p.at("id").as_string()).rfind("pub_", 0), 0u);
  EXPECT_EQ(p.at("result").as_string(), "SUCCESS");
  EXPECT_EQ(p.at("channel").as_string(), "mine");
  EXPECT_EQ(p.at("customer").at("source_id").as_string(), "pub-alice");
  const std::string code(p.at("voucher").at("code").as_string());
  const std::string holder(p.at("customer_id").as_string());
  EXPECT_EQ(p.at("vouchers_id").as_array().size(), 1u);
  const auto v = get("/v1/vouchers/" + code).json();
  EXPECT_EQ(v.at("holder_id").as_string(), holder);
  EXPECT_EQ(v.at("publish").at("count").as_int64(), 1);

  // That code cannot go to anyone else.
  expect_error(post("/v1/publications",
                    R"({"voucher":")" + code + R"(","customer":{"source_id":"pub-bob"}})"),
               400, "voucher_already_published");
  // Listed for the customer and the campaign.
  const auto list = get("/v1/publications?customer=pub-alice").json();
  EXPECT_EQ(list.at("data_ref").as_string(), "publications");
  ASSERT_EQ(list.at("publications").as_array().size(), 1u);
  EXPECT_EQ(list.at("publications").at(0).at("voucher").at("code").as_string(), code);
  EXPECT_EQ(get("/v1/publications?voucher=" + code).json().at("total").as_int64(), 1);
  EXPECT_EQ(get("/v1/publications?campaign=pub-basic").json().at("total").as_int64(), 1);
  // count > 1 gives `vouchers`.
  const auto two =
      post("/v1/publications", R"({"campaign":{"id":")" + camp +
                                   R"(","count":2},"customer":{"source_id":"pub-carol"}})");
  ASSERT_EQ(two.status, 200) << two.body;
  EXPECT_EQ(two.json().at("vouchers").as_array().size(), 2u);
  // The pool is empty now: nothing changes hands.
  expect_error(
      post("/v1/publications",
           R"({"campaign":{"name":"pub-basic","count":1},"customer":{"source_id":"pub-dan"}})"),
      400, "no_voucher_suitable_for_publication");
}

TEST_F(PublicationHttp, BadRequestsGetTheirKeysAndGiveNothing) {
  campaign("pub-bad", "STATIC", 2);
  for (const char* count : {"0", "51"}) {
    expect_error(post("/v1/publications", std::string(R"({"campaign":{"name":"pub-bad","count":)") +
                                              count + R"(},"customer":{"source_id":"pub-x"}})"),
                 400, "invalid_payload");
  }
  expect_error(post("/v1/publications", R"({"campaign":{"name":"pub-bad"}})"), 400,
               "invalid_payload");
  expect_error(post("/v1/publications",
                    R"({"campaign":{"name":"pub-missing"},"customer":{"source_id":"pub-x"}})"),
               404, "not_found");
  expect_error(
      post("/v1/publications", R"({"voucher":"NOPE-123","customer":{"source_id":"pub-x"}})"), 404,
      "not_found");
  expect_error(post("/v1/publications", R"({"campaign":"pub-bad","customer":"pub-x"})"), 400,
               "invalid_payload");
  // Nothing was given.
  EXPECT_EQ(get("/v1/publications?campaign=pub-bad").json().at("total").as_int64(), 0);
}

TEST_F(PublicationHttp, ASourceIdGivesTheSamePublicationBackAndRefusesAnotherRequest) {
  campaign("pub-source", "STATIC", 5);
  const std::string body =
      R"({"campaign":{"name":"pub-source"},"customer":{"source_id":"pub-src"},"source_id":"src-1"})";
  const auto first = post("/v1/publications", body);
  ASSERT_EQ(first.status, 200) << first.body;
  const auto again = post("/v1/publications", body);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("id"), first.json().at("id"));
  EXPECT_EQ(again.json().at("voucher").at("code"), first.json().at("voucher").at("code"));
  expect_error(
      post("/v1/publications", R"({"campaign":{"name":"pub-source"},)"
                               R"("customer":{"source_id":"pub-other"},"source_id":"src-1"})"),
      400, "duplicate_source_id");
  EXPECT_EQ(get("/v1/publications?campaign=pub-source").json().at("total").as_int64(), 1);
}

TEST_F(PublicationHttp, JoinOnceGivesOneCodePerCustomer) {
  campaign("pub-once-flag", "STATIC", 5);
  const std::string body =
      R"({"campaign":{"name":"pub-once-flag"},"customer":{"source_id":"pub-once"}})";
  const auto first = post("/v1/publications?join_once=true", body);
  ASSERT_EQ(first.status, 200) << first.body;
  const auto again = post("/v1/publications?join_once=true", body);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("voucher").at("code"), first.json().at("voucher").at("code"));
  expect_error(
      post(
          "/v1/publications?join_once=true",
          R"({"campaign":{"name":"pub-once-flag","count":2},"customer":{"source_id":"pub-once"}})"),
      400, "too_many_vouchers_requested");
  // The campaign's own join_once refuses a second one.
  campaign("pub-once-setting", "STATIC", 5, R"(,"join_once":true)");
  const std::string b2 =
      R"({"campaign":{"name":"pub-once-setting"},"customer":{"source_id":"pub-once"}})";
  ASSERT_EQ(post("/v1/publications", b2).status, 200);
  expect_error(post("/v1/publications", b2), 400, "voucher_cannot_be_published");
}

TEST_F(PublicationHttp, AutoUpdateCampaignsGenerateACodeWhenThePoolIsEmpty) {
  campaign("pub-auto", "AUTO_UPDATE", 1, R"(,"activity_duration_after_publishing":"P10D")");
  for (const char* who : {"pub-auto-1", "pub-auto-2"}) {
    const auto r = post("/v1/publications", std::string(R"({"campaign":{"name":"pub-auto"},)") +
                                                R"("customer":{"source_id":")" + who + R"("}})");
    ASSERT_EQ(r.status, 200) << r.body;
    // Valid for 10 days from now.
    EXPECT_FALSE(r.json().at("voucher").at("expiration_date").is_null()) << r.body;
  }
  EXPECT_EQ(get("/v1/publications?campaign=pub-auto").json().at("total").as_int64(), 2);
}

TEST_F(PublicationHttp, ClientPublishNeedsTheProjectToEnableIt) {
  campaign("pub-client", "STATIC", 2);
  const HeaderList client = client_key_headers("https://shop.example");
  const std::string body = R"({"customer":{"source_id":"pub-client-1"}})";
  expect_error(client_->request("POST", "/client/v1/publish?campaign=pub-client", body, client),
               403, "client_publication_disabled");
  ASSERT_EQ(put("/management/v1/projects/me", R"({"client_publish_enabled":true})").status, 200);
  const auto r = client_->request("POST", "/client/v1/publish?campaign=pub-client", body, client);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("channel").as_string(), "Voucherify.js");
  ASSERT_EQ(put("/management/v1/projects/me", R"({"client_publish_enabled":false})").status, 200);
}

TEST_F(PublicationHttp, ConcurrentPublicationsNeverGiveACodeTwice) {
  campaign("pub-race", "STATIC", 50);
  const auto results = race(200, [](HttpClient& c, int i) {
    return c.request("POST", "/v1/publications",
                     R"({"campaign":{"name":"pub-race"},"customer":{"source_id":"pub-race-)" +
                         std::to_string(i) + R"("}})",
                     SharedServerTest::auth());
  });
  std::set<std::string> codes, customers;
  int refused = 0;
  for (const auto& r : results) {
    if (r.status == 200) {
      codes.insert(std::string(r.json().at("voucher").at("code").as_string()));
      customers.insert(std::string(r.json().at("customer_id").as_string()));
    } else {
      EXPECT_EQ(r.status, 400) << r.body;
      EXPECT_NE(r.body.find("no_voucher_suitable_for_publication"), std::string::npos) << r.body;
      ++refused;
    }
  }
  EXPECT_EQ(codes.size(), 50u);
  EXPECT_EQ(customers.size(), 50u);
  EXPECT_EQ(refused, 150);
}

TEST_F(PublicationHttp, ConcurrentJoinOnceAndSourceIdCallsGiveOneCode) {
  campaign("pub-race-once", "STATIC", 120);
  auto results = race(100, [](HttpClient& c, int) {
    return c.request("POST", "/v1/publications?join_once=true",
                     R"({"campaign":{"name":"pub-race-once"},"customer":{"source_id":"pub-one"}})",
                     SharedServerTest::auth());
  });
  std::set<std::string> codes;
  for (const auto& r : results) {
    ASSERT_EQ(r.status, 200) << r.body;
    codes.insert(std::string(r.json().at("voucher").at("code").as_string()));
  }
  EXPECT_EQ(codes.size(), 1u);
  results = race(100, [](HttpClient& c, int i) {
    return c.request("POST", "/v1/publications",
                     R"({"campaign":{"name":"pub-race-once"},"customer":{"source_id":"pub-src-)" +
                         std::to_string(i % 7) + R"("},"source_id":"race-src"})",
                     SharedServerTest::auth());
  });
  std::set<std::string> ids;
  for (const auto& r : results) {
    if (r.status == 200)
      ids.insert(std::string(r.json().at("id").as_string()));
    else
      EXPECT_NE(r.body.find("duplicate_source_id"), std::string::npos) << r.body;
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(get("/v1/publications?source_id=race-src").json().at("total").as_int64(), 1);
}

TEST_F(PublicationHttp, TheWalletListsHeldCodesWithRoleAndStatusCursorPaged) {
  campaign("wallet-coupons", "STATIC", 3);
  campaign("wallet-referral", "STATIC", 2, "", "REFERRAL_PROGRAM");
  const std::string coupon = publish_one("wallet-coupons", "wallet-ann");
  const std::string referral = publish_one("wallet-referral", "wallet-ann");
  publish_one("wallet-coupons", "wallet-ben");  // someone else's

  const auto all = get("/v1/customers/wallet-ann/redeemables");
  ASSERT_EQ(all.status, 200) << all.body;
  const auto w = all.json();
  EXPECT_EQ(w.at("data_ref").as_string(), "data");
  EXPECT_EQ(w.at("total").as_int64(), 2);
  ASSERT_EQ(w.at("data").as_array().size(), 2u);
  // Newest first: the referral code, held as its REFERRER.
  const auto& newest = w.at("data").at(0);
  EXPECT_EQ(std::string(newest.at("id").as_string()).rfind("rh_", 0), 0u);
  EXPECT_EQ(newest.at("holder_role").as_string(), "REFERRER");
  EXPECT_EQ(newest.at("campaign_type").as_string(), "REFERRAL_PROGRAM");
  EXPECT_EQ(newest.at("redeemable_object").as_string(), "voucher");
  EXPECT_EQ(newest.at("redeemable").at("type").as_string(), "voucher");
  EXPECT_EQ(newest.at("redeemable").at("voucher").at("code").as_string(), referral);
  EXPECT_EQ(newest.at("redeemable").at("status").as_string(), "ACTIVE");
  const auto& oldest = w.at("data").at(1);
  EXPECT_EQ(oldest.at("holder_role").as_string(), "OWNER");
  EXPECT_EQ(oldest.at("voucher_type").as_string(), "DISCOUNT_VOUCHER");
  EXPECT_EQ(oldest.at("redeemable").at("voucher").at("code").as_string(), coupon);
  EXPECT_EQ(oldest.at("customer_id"), newest.at("customer_id"));

  // Cursor paging.
  const auto first = get("/v1/customers/wallet-ann/redeemables?limit=1").json();
  EXPECT_TRUE(first.at("has_more").as_bool());
  const std::string after(first.at("more_starting_after").as_string());
  EXPECT_EQ(first.at("data").at(0).at("id").as_string(), after);
  const auto second =
      get("/v1/customers/wallet-ann/redeemables?limit=1&starting_after_id=" + after).json();
  ASSERT_EQ(second.at("data").as_array().size(), 1u);
  EXPECT_EQ(second.at("data").at(0).at("redeemable").at("voucher").at("code").as_string(), coupon);
  EXPECT_FALSE(second.at("has_more").as_bool());
  EXPECT_EQ(get("/v1/customers/wallet-ann/redeemables?order=id")
                .json()
                .at("data")
                .at(0)
                .at("redeemable")
                .at("voucher")
                .at("code")
                .as_string(),
            coupon);

  // Filters narrow the customer's own codes; an OR junction never reaches another customer's.
  EXPECT_EQ(get("/v1/customers/wallet-ann/redeemables?filters[holder_role][conditions][$is]=OWNER")
                .json()
                .at("total")
                .as_int64(),
            1);
  EXPECT_EQ(get("/v1/customers/wallet-ann/redeemables?filters[junction]=or"
                "&filters[campaign_type][conditions][$is]=DISCOUNT_COUPONS"
                "&filters[holder_role][conditions][$is]=OWNER")
                .json()
                .at("total")
                .as_int64(),
            1);
  expect_error(get("/v1/customers/wallet-ann/redeemables?order=code"), 400, "invalid_query_params");

  // The status follows the code.
  ASSERT_EQ(post("/v1/vouchers/" + coupon + "/disable", "").status, 200);
  EXPECT_EQ(get("/v1/customers/wallet-ann/redeemables?order=id")
                .json()
                .at("data")
                .at(0)
                .at("redeemable")
                .at("status")
                .as_string(),
            "DISABLED");
  expect_error(get("/v1/customers/wallet-nobody/redeemables"), 404, "not_found");
}

TEST_F(PublicationHttp, ReferralCodesTakeRefereesAllOrNothingAndKeepTheirReferrer) {
  campaign("holders-referral", "STATIC", 2, "", "REFERRAL_PROGRAM");
  campaign("holders-coupons", "STATIC", 1);
  const std::string camp(get("/v1/campaigns/holders-referral").json().at("id").as_string());
  // An unpublished referral code takes no referees.
  const std::string unpublished(get("/v1/vouchers?campaign=holders-referral&limit=1")
                                    .json()
                                    .at("vouchers")
                                    .at(0)
                                    .at("code")
                                    .as_string());
  const std::string two_referees =
      R"({"holders":[{"source_id":"ref-1","name":"One"},{"source_id":"ref-2"}],)"
      R"("metadata":{"influencer":true}})";
  expect_error(post("/v1/referrals/members/" + unpublished + "/holders", two_referees), 400,
               "not_published");

  const std::string code = publish_one("holders-referral", "ref-owner");
  ASSERT_NE(code, unpublished);
  const auto added = post("/v1/referrals/members/" + code + "/holders", two_referees);
  ASSERT_EQ(added.status, 200) << added.body;
  const auto added_json = added.json();
  const auto& holders = added_json.at("holders").as_array();
  ASSERT_EQ(holders.size(), 2u);
  for (const auto& h : holders) {
    EXPECT_EQ(h.at("holder_role").as_string(), "REFEREE");
    EXPECT_EQ(h.at("object").as_string(), "redeemable_holder");
    EXPECT_TRUE(h.at("metadata").at("influencer").as_bool());
    EXPECT_EQ(h.at("campaign_id").as_string(), camp);
  }
  EXPECT_EQ(get("/v1/customers/ref-1").json().at("name").as_string(), "One");

  // Both URLs list the referrer and the referees.
  for (const std::string& url : {"/v1/referrals/members/" + code + "/holders",
                                 "/v1/referrals/" + camp + "/members/" + code + "/holders"}) {
    const auto list = get(url);
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json().at("total").as_int64(), 3) << url;
  }
  EXPECT_EQ(get("/v1/referrals/members/" + code +
                "/holders?filters[holder_role][conditions][$is]=REFERRER")
                .json()
                .at("total")
                .as_int64(),
            1);
  // The referee's wallet shows the code.
  EXPECT_EQ(
      get("/v1/customers/ref-2/redeemables").json().at("data").at(0).at("holder_role").as_string(),
      "REFEREE");

  // A customer who holds the code already, the referrer too, is refused, and the whole request
  // with them: the new customer beside them is not created.
  expect_error(post("/v1/referrals/members/" + code + "/holders",
                    R"({"holders":[{"source_id":"ref-new"},{"source_id":"ref-1"}]})"),
               409, "holder_assignement_duplication");
  expect_error(get("/v1/customers/ref-new"), 404, "not_found");
  expect_error(post("/v1/referrals/members/" + code + "/holders",
                    R"({"holders":[{"source_id":"ref-owner"}]})"),
               409, "holder_assignement_duplication");
  EXPECT_EQ(get("/v1/referrals/members/" + code + "/holders").json().at("total").as_int64(), 3);

  // Bad requests.
  expect_error(post("/v1/referrals/members/" + code + "/holders", R"({"holders":[]})"), 400,
               "invalid_payload");
  expect_error(post("/v1/referrals/members/" + code + "/holders", R"({"holders":[{"name":"x"}]})"),
               400, "invalid_payload");
  const std::string coupon = publish_one("holders-coupons", "ref-owner");
  expect_error(post("/v1/referrals/members/" + coupon + "/holders", two_referees), 400,
               "invalid_voucher");
  const std::string other(get("/v1/campaigns/holders-coupons").json().at("id").as_string());
  expect_error(get("/v1/referrals/" + other + "/members/" + code + "/holders"), 404, "not_found");

  // Referees can be removed; the referrer cannot.
  const std::string referee(holders[0].at("id").as_string());
  const auto referrer = get("/v1/referrals/members/" + code +
                            "/holders?filters[holder_role][conditions][$is]=REFERRER")
                            .json()
                            .at("data")
                            .at(0)
                            .at("id");
  expect_error(
      del("/v1/referrals/members/" + code + "/holders/" + std::string(referrer.as_string())), 403,
      "holder_removal_not_permitted");
  EXPECT_EQ(del("/v1/referrals/" + camp + "/members/" + code + "/holders/" + referee).status, 204);
  expect_error(del("/v1/referrals/members/" + code + "/holders/" + referee), 404, "not_found");
  EXPECT_EQ(get("/v1/referrals/members/" + code + "/holders").json().at("total").as_int64(), 2);
}

// Spec 12.1 / 7.3: "redemption only by code holder" (publication.redeemable_by_linked_customer)
// holds in validation and redemption once the code is published.
TEST_F(PublicationHttp, AHolderOnlyCodeIsValidAndRedeemableForItsHolderOnly) {
  const auto rule = post(
      "/v1/validation-rules",
      R"({"name":"holder only","rules":{"1":{"name":"publication.redeemable_by_linked_customer",)"
      R"("conditions":{"$is":[true]}},"logic":"1"}})");
  ASSERT_EQ(rule.status, 200) << rule.body;
  const std::string rule_id(rule.json().at("id").as_string());
  campaign("pub-linked", "STATIC", 2, R"(,"validation_rules":[")" + rule_id + R"("])");
  const std::string code = publish_one("pub-linked", "linked-owner");
  auto body = [&](const std::string& customer) {
    return R"({"redeemables":[{"object":"voucher","id":")" + code +
           R"("}],"order":{"amount":5000},"customer":{"source_id":")" + customer + R"("}})";
  };
  const auto stranger = post("/v1/validations", body("linked-stranger"));
  ASSERT_EQ(stranger.status, 200) << stranger.body;
  EXPECT_FALSE(stranger.json().at("valid").as_bool()) << stranger.body;
  EXPECT_NE(stranger.body.find("customer_rules_violated"), std::string::npos) << stranger.body;
  const auto owner = post("/v1/validations", body("linked-owner"));
  EXPECT_TRUE(owner.json().at("valid").as_bool()) << owner.body;

  expect_error(post("/v1/redemptions", body("linked-stranger")), 400, "customer_rules_violated");
  EXPECT_EQ(get("/v1/vouchers/" + code).json().at("redemption").at("redeemed_quantity").as_int64(),
            0);
  const auto redeemed = post("/v1/redemptions", body("linked-owner"));
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;
  EXPECT_EQ(get("/v1/vouchers/" + code).json().at("redemption").at("redeemed_quantity").as_int64(),
            1);
}

}  // namespace
}  // namespace openpromo::testing
