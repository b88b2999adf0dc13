// Several openpromo nodes on one database: what one node writes, the other serves at once, and a
// background job of a node that dies is finished by another.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/test_database.h"

namespace openpromo::testing {
namespace {

const HeaderList kAuth{{"X-App-Id", ServerProcess::kAppId},
                       {"X-App-Token", ServerProcess::kAppToken}};

std::string node_id(const ServerProcess& server) {
  std::smatch m;
  const std::string out = server.stdout_text();
  if (!std::regex_search(out, m, std::regex(R"(node (node_[0-9a-f]+))"))) return {};
  return m[1];
}

TEST(MultiNode, WritesOnOneNodeAreServedByTheOther) {
  TestDatabase database;
  ServerProcess::Options o;
  o.db_url = database.url();
  ServerProcess a(o);
  ServerProcess b(o);
  HttpClient ca(a.port());
  HttpClient cb(b.port());
  auto created =
      ca.request("POST", "/v1/campaigns",
                 R"({"name":"Shared","campaign_type":"DISCOUNT_COUPONS","vouchers_count":1,)"
                 R"("voucher":{"discount":{"type":"AMOUNT","amount_off":100}}})",
                 kAuth);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(created.json().at("id").as_string());
  auto seen = cb.request("GET", "/v1/campaigns/" + id, "", kAuth);
  ASSERT_EQ(seen.status, 200);
  EXPECT_EQ(seen.json().at("active").as_bool(), true);
  EXPECT_EQ(seen.json().at("vouchers_count").as_int64(), 1);
  ASSERT_EQ(ca.request("POST", "/v1/campaigns/" + id + "/disable", "{}", kAuth).status, 200);
  EXPECT_EQ(cb.request("GET", "/v1/campaigns/" + id, "", kAuth).json().at("active").as_bool(),
            false)
      << "node B answers from the database, never from a stale copy";
  auto voucher = cb.request(
      "POST", "/v1/vouchers/NODE-B",
      R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":1}})", kAuth);
  ASSERT_EQ(voucher.status, 200);
  EXPECT_EQ(ca.request("GET", "/v1/vouchers/NODE-B", "", kAuth).status, 200);
}

// Issue 3: a campaign disabled on node A is refused by node B within one second. On PostgreSQL
// the change reaches B by NOTIFY (the fallback check runs every 500 ms); on SQLite both nodes
// read the catalog version per request. The test polls for at most one second so it states the
// requirement, not the implementation.
TEST(MultiNode, ACampaignDisabledOnOneNodeIsRefusedByTheOtherWithinOneSecond) {
  TestDatabase database;
  ServerProcess::Options o;
  o.db_url = database.url();
  ServerProcess a(o);
  ServerProcess b(o);
  HttpClient ca(a.port());
  HttpClient cb(b.port());
  auto created = ca.request("POST", "/v1/campaigns",
                            R"({"name":"Refused","campaign_type":"DISCOUNT_COUPONS",)"
                            R"("voucher":{"type":"DISCOUNT_VOUCHER",)"
                            R"("discount":{"type":"AMOUNT","amount_off":500}}})",
                            kAuth);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(created.json().at("id").as_string());
  ASSERT_EQ(ca.request("POST", "/v1/campaigns/" + id + "/vouchers/MULTI-1", "{}", kAuth).status,
            200);
  const std::string body =
      R"({"redeemables":[{"object":"voucher","id":"MULTI-1"}],"order":{"amount":2000}})";
  auto before = cb.request("POST", "/v1/validations", body, kAuth);
  ASSERT_EQ(before.status, 200) << before.body;
  ASSERT_TRUE(before.json().at("valid").as_bool()) << before.body;

  ASSERT_EQ(ca.request("POST", "/v1/campaigns/" + id + "/disable", "{}", kAuth).status, 200);
  const auto disabled_at = std::chrono::steady_clock::now();
  std::string last;
  bool refused = false;
  while (std::chrono::steady_clock::now() - disabled_at < std::chrono::seconds(1)) {
    auto r = cb.request("POST", "/v1/validations", body, kAuth);
    last = r.body;
    const auto json = r.json();
    const auto& redeemable = json.at("redeemables").as_array().at(0).as_object();
    if (!json.at("valid").as_bool() &&
        redeemable.at("result").at("error").at("key").as_string() == "voucher_disabled") {
      refused = true;
      break;
    }
  }
  EXPECT_TRUE(refused) << "node B still accepts the voucher: " << last;
}

// The catalog snapshot's fallback check is pushed out to a minute, so what this test sees is
// the mechanisms alone: a write through a node is used by that node's next validation, a voucher
// (and its campaign) created on one node validates on the other at once, and a promotion tier
// created on one node is found by the other at once.
TEST(MultiNode, DefinitionsAreUsedAtOnceWithoutWaitingForTheFallbackCheck) {
  TestDatabase database;
  ServerProcess::Options o;
  o.db_url = database.url();
  o.extra_args = {"--catalog-recheck-ms", "60000"};
  ServerProcess a(o);
  ServerProcess b(o);
  HttpClient ca(a.port());
  HttpClient cb(b.port());
  auto validate = [&](HttpClient& c, const std::string& object, const std::string& id) {
    auto r = c.request("POST", "/v1/validations",
                       R"({"redeemables":[{"object":")" + object + R"(","id":")" + id +
                           R"("}],"order":{"amount":2000}})",
                       kAuth);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  };
  // Both nodes hold a snapshot of the (empty) catalog before anything is created.
  EXPECT_FALSE(validate(ca, "voucher", "NOT-YET").at("valid").as_bool());
  EXPECT_FALSE(validate(cb, "voucher", "NOT-YET").at("valid").as_bool());

  auto created = ca.request("POST", "/v1/campaigns",
                            R"({"name":"At once","campaign_type":"DISCOUNT_COUPONS",)"
                            R"("voucher":{"type":"DISCOUNT_VOUCHER",)"
                            R"("discount":{"type":"AMOUNT","amount_off":500}}})",
                            kAuth);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(created.json().at("id").as_string());
  ASSERT_EQ(ca.request("POST", "/v1/campaigns/" + id + "/vouchers/AT-ONCE", "{}", kAuth).status,
            200);
  auto on_b = validate(cb, "voucher", "AT-ONCE");
  EXPECT_TRUE(on_b.at("valid").as_bool()) << boost::json::serialize(on_b);
  EXPECT_EQ(on_b.at("order").at("total_discount_amount").as_int64(), 500);

  ASSERT_EQ(ca.request("POST", "/v1/campaigns/" + id + "/disable", "{}", kAuth).status, 200);
  auto on_a = validate(ca, "voucher", "AT-ONCE");
  ASSERT_FALSE(on_a.at("valid").as_bool()) << boost::json::serialize(on_a);
  EXPECT_EQ(on_a.at("redeemables").as_array().at(0).at("result").at("error").at("key"),
            "voucher_disabled");

  auto promo = ca.request("POST", "/v1/campaigns",
                          R"({"name":"Tiers at once","campaign_type":"PROMOTION",)"
                          R"("promotion":{"tiers":[{"name":"T","action":{"discount":)"
                          R"({"type":"AMOUNT","amount_off":300}}}]}})",
                          kAuth);
  ASSERT_EQ(promo.status, 200) << promo.body;
  const auto promo_json = promo.json();
  const std::string tier(
      promo_json.at("promotion").at("tiers").as_array().at(0).at("id").as_string());
  auto tier_on_b = validate(cb, "promotion_tier", tier);
  EXPECT_TRUE(tier_on_b.at("valid").as_bool()) << boost::json::serialize(tier_on_b);
}

TEST(MultiNode, ConcurrentUpsertsSpreadOverTwoNodesYieldOneCustomer) {
  TestDatabase database;
  ServerProcess::Options o;
  o.db_url = database.url();
  ServerProcess a(o);
  ServerProcess b(o);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c((i % 2 ? a : b).port());
      auto r = c.request("POST", "/v1/customers", R"({"source_id":"one-customer","name":"Same"})",
                         kAuth);
      if (r.status == 200) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(database.scalar("SELECT COUNT(*) FROM customers WHERE source_id = 'one-customer'"),
            "1");
}

// Issue 5: the same order, with a new customer, sent 50 times at once over two nodes: one
// order, one customer, and every reply names the same order.
TEST(MultiNode, ConcurrentOrderUpsertsSpreadOverTwoNodesYieldOneOrder) {
  TestDatabase database;
  ServerProcess::Options o;
  o.db_url = database.url();
  ServerProcess a(o);
  ServerProcess b(o);
  std::atomic<int> ok{0};
  std::mutex ids_mutex;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c((i % 2 ? a : b).port());
      auto r = c.request("POST", "/v1/orders",
                         R"({"source_id":"one-order","status":"PAID",)"
                         R"("customer":{"source_id":"order-buyer"},)"
                         R"("items":[{"source_id":"sku-1","quantity":2,"price":1500}]})",
                         kAuth);
      if (r.status != 200) return;
      ++ok;
      const auto json = r.json();
      std::lock_guard lock(ids_mutex);
      ids.insert(std::string(json.at("id").as_string()));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(database.scalar("SELECT COUNT(*) FROM orders WHERE source_id = 'one-order'"), "1");
  EXPECT_EQ(database.scalar("SELECT COUNT(*) FROM customers WHERE source_id = 'order-buyer'"), "1");
  EXPECT_EQ(database.scalar("SELECT amount FROM orders WHERE source_id = 'one-order'"), "3000");
}

TEST(MultiNode, AJobOfANodeThatDiesIsFinishedByAnother) {
  const int64_t count = 300'000;
  TestDatabase database;
  ServerProcess::Options o;
  o.db_url = database.url();
  o.extra_args = {"--job-lease-ms", "1000"};
  ServerProcess a(o);
  ServerProcess b(o);
  HttpClient ca(a.port());
  auto created =
      ca.request("POST", "/v1/campaigns",
                 R"({"name":"Relay","campaign_type":"DISCOUNT_COUPONS","vouchers_count":)" +
                     std::to_string(count) +
                     R"(,"voucher":{"discount":{"type":"AMOUNT","amount_off":100},)"
                     R"("code_config":{"pattern":"RLY-##########"}}})",
                 kAuth);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string action(created.json().at("async_action_id").as_string());
  const std::string campaign(created.json().at("id").as_string());

  // Find which node runs the job, once it has done some of it, and kill that node.
  std::string holder;
  for (int i = 0; i < 600 && holder.empty(); ++i) {
    const std::string done =
        database.scalar("SELECT done_count FROM async_actions WHERE id = '" + action + "'");
    if (!done.empty() && std::stoll(done) > 0) {
      holder = database.scalar("SELECT claimed_by FROM async_actions WHERE id = '" + action + "'");
    }
    if (holder.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(holder.empty()) << "the job never started";
  ServerProcess& dying = holder == node_id(a) ? a : b;
  ServerProcess& survivor = holder == node_id(a) ? b : a;
  ASSERT_EQ(holder, node_id(dying));
  dying.kill_hard();

  HttpClient cs(survivor.port());
  std::string status;
  for (int i = 0; i < 1200; ++i) {
    status = std::string(cs.request("GET", "/v1/async-actions/" + action, "", kAuth)
                             .json()
                             .at("status")
                             .as_string());
    if (status == "DONE" || status == "FAILED") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(status, "DONE");
  const std::string where = " FROM vouchers WHERE campaign_id = '" + campaign + "'";
  EXPECT_EQ(database.scalar("SELECT COUNT(*)" + where), std::to_string(count));
  EXPECT_EQ(database.scalar("SELECT COUNT(DISTINCT code)" + where), std::to_string(count));
  EXPECT_EQ(database.scalar("SELECT claimed_by FROM async_actions WHERE id = '" + action + "'"),
            "");
}

}  // namespace
}  // namespace openpromo::testing
