// Limits that hold under any concurrency (issue 12 "Done when"): 64 clients race for the last
// use of a code, the last use of a per-customer limit, the last cent of a budget and of a gift
// card, the last session lock, and the rollback of one redemption, over several rounds, on the
// backend under test and with the clients spread over two nodes of one database. After each
// round the stored counters are checked against the redemption rows. A redemption acknowledged
// to the client survives kill -9 of the server; 100 concurrent retries with one idempotency key
// consume once and all get the same answer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/test_database.h"

namespace openpromo::testing {
namespace {

constexpr int kClients = 64;
constexpr int kRounds = 3;

const HeaderList kAuth{{"X-App-Id", ServerProcess::kAppId},
                       {"X-App-Token", ServerProcess::kAppToken},
                       {"Content-Type", "application/json"}};

ServerProcess::Options node_options(const std::string& db_url) {
  ServerProcess::Options o;
  o.db_url = db_url;
  o.extra_args = {"--threads", "4", "--workers", "8"};
  return o;
}

// One or two nodes on one fresh database; clients take turns between them.
class Race : public ::testing::Test {
 protected:
  void start(int nodes) {
    for (int i = 0; i < nodes; ++i) {
      servers_.push_back(std::make_unique<ServerProcess>(node_options(database_.url())));
    }
  }
  uint16_t port(int client) const {
    return servers_[static_cast<size_t>(client) % servers_.size()]->port();
  }
  HttpResult call(const std::string& method, const std::string& path, const std::string& body,
                  const HeaderList& headers = kAuth) {
    HttpClient c(port(0));
    return c.request(method, path, body, headers);
  }
  // Runs `request(client, index)` from `clients` threads at once (each with its own connection
  // to its node) and returns every answer.
  std::vector<HttpResult> race(int clients,
                               const std::function<HttpResult(HttpClient&, int)>& request) {
    std::vector<HttpResult> results(static_cast<size_t>(clients));
    std::latch ready(clients);
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
      threads.emplace_back([&, i] {
        HttpClient client(port(i));
        client.connect();
        ready.arrive_and_wait();
        results[static_cast<size_t>(i)] = request(client, i);
      });
    }
    for (auto& t : threads) t.join();
    return results;
  }
  static std::map<int, int> statuses(const std::vector<HttpResult>& results) {
    std::map<int, int> out;
    for (const auto& r : results) ++out[r.status];
    return out;
  }
  static std::string describe(const std::map<int, int>& s) {
    std::string out;
    for (const auto& [status, n] : s) out += std::to_string(status) + "x" + std::to_string(n) + " ";
    return out;
  }
  int64_t number(const std::string& sql) {
    const std::string v = database_.scalar(sql);
    return v.empty() ? 0 : std::stoll(v);
  }
  std::string create_code(const std::string& code, const std::string& definition) {
    const auto r = call("POST", "/v1/vouchers/" + code, definition);
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().at("id").as_string());
  }
  void assign_rule(const std::string& name, const std::string& rules, const std::string& voucher) {
    const auto r =
        call("POST", "/v1/validation-rules", R"({"name":")" + name + R"(","rules":)" + rules + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto a =
        call("POST",
             "/v1/validation-rules/" + std::string(r.json().at("id").as_string()) + "/assignments",
             R"({"related_object_type":"voucher","related_object_id":")" + voucher + R"("})");
    ASSERT_EQ(a.status, 200) << a.body;
  }
  static std::string redeem_body(const std::string& code, const std::string& customer,
                                 const std::string& redeemable_extra = "") {
    return R"({"redeemables":[{"object":"voucher","id":")" + code + "\"" + redeemable_extra +
           R"(}],"order":{"amount":10000},"customer":{"source_id":")" + customer + R"("}})";
  }
  // The voucher's stored counters agree with its successful redemption rows.
  void expect_counters_match_rows(const std::string& voucher_id) {
    const int64_t rows = number("SELECT COUNT(*) FROM redemptions WHERE related_object_id = '" +
                                voucher_id + "' AND status = 'SUCCEEDED'");
    EXPECT_EQ(number("SELECT redeemed_quantity FROM vouchers WHERE id = '" + voucher_id + "'"),
              rows);
    EXPECT_EQ(number("SELECT count FROM usage_counters WHERE row_key = 'i|" + voucher_id + "'"),
              rows);
    EXPECT_EQ(
        number("SELECT discount_amount FROM usage_counters WHERE row_key = 'i|" + voucher_id + "'"),
        number("SELECT COALESCE(SUM(discount_amount), 0) FROM redemptions WHERE"
               " related_object_id = '" +
               voucher_id + "' AND status = 'SUCCEEDED'"));
  }

  void quantity_holds(const std::string& tag) {
    for (int round = 0; round < kRounds; ++round) {
      const int quantity = 5 + round * 7;
      const std::string code = tag + "-Q-" + std::to_string(round);
      const std::string id = create_code(
          code, R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100},)"
                R"("redemption":{"quantity":)" +
                    std::to_string(quantity) + "}}");
      const auto results = race(kClients, [&](HttpClient& c, int i) {
        return c.request("POST", "/v1/redemptions", redeem_body(code, "racer-" + std::to_string(i)),
                         kAuth);
      });
      const auto s = statuses(results);
      EXPECT_EQ(s.count(200) ? s.at(200) : 0, quantity) << describe(s);
      EXPECT_EQ(s.count(200) + s.count(400), s.size()) << describe(s);
      for (const auto& r : results) {
        if (r.status == 400) {
          EXPECT_NE(r.body.find("quantity_exceeded"), std::string::npos) << r.body;
        }
      }
      expect_counters_match_rows(id);
    }
  }

  void per_customer_limit_holds(const std::string& tag) {
    for (int round = 0; round < kRounds; ++round) {
      const std::string code = tag + "-PC-" + std::to_string(round);
      const std::string id = create_code(
          code, R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100}})");
      assign_rule(code + "-rule",
                  R"({"1":{"name":"redemption.count.per_customer","conditions":)"
                  R"({"$less_than_or_equal":[1]}}})",
                  id);
      const std::string customer = "one-customer-" + tag + std::to_string(round);
      const auto results = race(kClients, [&](HttpClient& c, int) {
        return c.request("POST", "/v1/redemptions", redeem_body(code, customer), kAuth);
      });
      const auto s = statuses(results);
      EXPECT_EQ(s.count(200) ? s.at(200) : 0, 1) << describe(s);
      EXPECT_EQ(s.count(200) + s.count(400), s.size()) << describe(s);
      expect_counters_match_rows(id);
      const std::string customer_id =
          database_.scalar("SELECT id FROM customers WHERE source_id = '" + customer + "'");
      EXPECT_EQ(number("SELECT count FROM usage_counters WHERE row_key = 'i|" + id + "|c|" +
                       customer_id + "'"),
                1);
      EXPECT_EQ(number("SELECT COUNT(*) FROM customers WHERE source_id = '" + customer + "'"), 1)
          << "one customer, however many connections upserted it";
    }
  }

  std::unique_ptr<ServerProcess>& first() { return servers_.front(); }

  TestDatabase database_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
};

TEST_F(Race, ACodeOfQuantityQGetsExactlyQRedemptions) {
  start(1);
  quantity_holds("one");
}

TEST_F(Race, APerCustomerLimitOfOneHoldsAcrossManyConnections) {
  start(1);
  per_customer_limit_holds("one");
}

TEST_F(Race, TwoNodesShareTheLimits) {
  start(2);
  quantity_holds("two");
  per_customer_limit_holds("two");
}

TEST_F(Race, ABudgetIsNeverExceededByOneCent) {
  start(2);
  for (int round = 0; round < kRounds; ++round) {
    const int64_t cap = 1000 + 137 * round;  // cents of discount the campaign may give
    const std::string code = "BUDGET-" + std::to_string(round);
    const std::string id = create_code(
        code, R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100}})");
    assign_rule(code + "-rule",
                R"({"1":{"name":"campaign.orders.amount_discounted","conditions":)"
                R"({"$less_than_or_equal":[)" +
                    std::to_string(cap) + "]}}}",
                id);
    const auto results = race(kClients, [&](HttpClient& c, int i) {
      return c.request("POST", "/v1/redemptions", redeem_body(code, "b" + std::to_string(i)),
                       kAuth);
    });
    const auto s = statuses(results);
    EXPECT_EQ(s.count(200) ? s.at(200) : 0, cap / 100) << describe(s);
    const int64_t given = number(
        "SELECT COALESCE(SUM(discount_amount), 0) FROM redemptions WHERE related_object_id = '" +
        id + "' AND status = 'SUCCEEDED'");
    EXPECT_LE(given, cap);
    EXPECT_EQ(number("SELECT discount_amount FROM usage_counters WHERE row_key = 'c|" + id + "'"),
              given);
    expect_counters_match_rows(id);
  }
}

TEST_F(Race, AGiftCardBalanceNeverGoesBelowZero) {
  start(2);
  for (int round = 0; round < kRounds; ++round) {
    const int64_t amount = 5000 + 50 * round;
    const std::string code = "GIFT-RACE-" + std::to_string(round);
    const std::string id = create_code(
        code, R"({"type":"GIFT_VOUCHER","gift":{"amount":)" + std::to_string(amount) + "}}");
    const auto results = race(kClients, [&](HttpClient& c, int i) {
      return c.request("POST", "/v1/redemptions",
                       redeem_body(code, "g" + std::to_string(i), R"(,"gift":{"credits":300})"),
                       kAuth);
    });
    const auto s = statuses(results);
    EXPECT_EQ(s.count(200) ? s.at(200) : 0, amount / 300) << describe(s);
    const int64_t spent =
        number("SELECT COALESCE(SUM(gift_amount), 0) FROM redemptions WHERE related_object_id = '" +
               id + "' AND status = 'SUCCEEDED'");
    const int64_t balance = number("SELECT gift_balance FROM vouchers WHERE id = '" + id + "'");
    EXPECT_GE(balance, 0);
    EXPECT_EQ(balance, amount - spent);
    EXPECT_EQ(number("SELECT gift_amount FROM usage_counters WHERE row_key = 'c|" + id + "'"),
              spent);
  }
}

TEST_F(Race, QSessionLocksOnACodeOfQuantityQRefuseTheNextOne) {
  start(2);
  for (int round = 0; round < kRounds; ++round) {
    const int quantity = 3 + round * 4;
    const std::string code = "LOCK-RACE-" + std::to_string(round);
    const std::string id = create_code(
        code, R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100},)"
              R"("redemption":{"quantity":)" +
                  std::to_string(quantity) + "}}");
    const auto results = race(kClients, [&](HttpClient& c, int i) {
      return c.request("POST", "/v1/validations",
                       R"({"redeemables":[{"object":"voucher","id":")" + code +
                           R"("}],"session":{"type":"LOCK","key":"ssn_)" + std::to_string(round) +
                           "_" + std::to_string(i) + R"("}})",
                       kAuth);
    });
    int valid = 0;
    for (const auto& r : results) {
      ASSERT_EQ(r.status, 200) << r.body;
      if (r.json().at("valid").as_bool()) ++valid;
    }
    EXPECT_EQ(valid, quantity);
    EXPECT_EQ(number("SELECT COUNT(*) FROM session_locks WHERE voucher_id = '" + id + "'"),
              quantity);
  }
}

TEST_F(Race, ConcurrentRollbacksOfOneRedemptionRestoreExactlyOnce) {
  start(2);
  for (int round = 0; round < kRounds; ++round) {
    const std::string code = "ROLLBACK-RACE-" + std::to_string(round);
    const std::string gift_code = "ROLLBACK-GIFT-" + std::to_string(round);
    const std::string id = create_code(
        code, R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100},)"
              R"("redemption":{"quantity":1}})");
    const std::string gift_id =
        create_code(gift_code, R"({"type":"GIFT_VOUCHER","gift":{"amount":1000}})");
    const auto redeemed = call("POST", "/v1/redemptions",
                               R"({"redeemables":[{"object":"voucher","id":")" + code +
                                   R"("},{"object":"voucher","id":")" + gift_code +
                                   R"(","gift":{"credits":400}}],"order":{"amount":10000},)"
                                   R"("customer":{"source_id":"rollback-racer"}})");
    ASSERT_EQ(redeemed.status, 200) << redeemed.body;
    const std::string parent(redeemed.json().at("parent_redemption").at("id").as_string());
    const auto results = race(kClients, [&](HttpClient& c, int) {
      return c.request("POST", "/v1/redemptions/" + parent + "/rollbacks", "{}", kAuth);
    });
    const auto s = statuses(results);
    EXPECT_EQ(s.count(200) ? s.at(200) : 0, 1) << describe(s);
    EXPECT_EQ(s.count(200) + s.count(400), s.size()) << describe(s);
    for (const auto& r : results) {
      if (r.status == 400) {
        EXPECT_NE(r.body.find("already_rolled_back"), std::string::npos) << r.body;
      }
    }
    EXPECT_EQ(number("SELECT redeemed_quantity FROM vouchers WHERE id = '" + id + "'"), 0);
    EXPECT_EQ(number("SELECT gift_balance FROM vouchers WHERE id = '" + gift_id + "'"), 1000);
    EXPECT_EQ(number("SELECT count FROM usage_counters WHERE row_key = 'i|" + id + "'"), 0);
    EXPECT_EQ(number("SELECT COUNT(*) FROM redemption_rollbacks WHERE result = 'SUCCESS' AND"
                     " redemption_id IN (SELECT id FROM redemptions WHERE parent_id = '" +
                     parent + "')"),
              2);
    expect_counters_match_rows(id);
    expect_counters_match_rows(gift_id);
  }
}

TEST_F(Race, AHundredRetriesWithOneKeyConsumeOnceAndGetTheSameAnswer) {
  start(2);
  const std::string code = "IDEM-RACE";
  const std::string id = create_code(
      code, R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100}})");
  HeaderList headers = kAuth;
  headers.emplace_back("Idempotency-Key", "checkout-4711");
  const auto results = race(100, [&](HttpClient& c, int) {
    return c.request("POST", "/v1/redemptions", redeem_body(code, "retrying-customer"), headers);
  });
  for (const auto& r : results) {
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, results.front().body);
  }
  EXPECT_EQ(number("SELECT redeemed_quantity FROM vouchers WHERE id = '" + id + "'"), 1);
  expect_counters_match_rows(id);
}

TEST_F(Race, AnAcknowledgedRedemptionSurvivesKillMinus9) {
  start(1);
  const std::string code = "DURABLE";
  const std::string id = create_code(
      code, R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100}})");
  HttpClient c(first()->port());
  const auto r = c.request("POST", "/v1/redemptions", redeem_body(code, "durable-customer"), kAuth);
  ASSERT_EQ(r.status, 200) << r.body;
  first()->kill_hard();  // right after the reply: no shutdown, no flush
  const std::string parent(r.json().at("parent_redemption").at("id").as_string());
  servers_.clear();
  start(1);
  HttpClient again(first()->port());
  const auto got = again.request("GET", "/v1/redemptions/" + parent, "", kAuth);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json().at("result").as_string(), "SUCCESS");
  const auto v = again.request("GET", "/v1/vouchers/" + code, "", kAuth);
  EXPECT_EQ(v.json().at("redemption").at("redeemed_quantity").as_int64(), 1);
  expect_counters_match_rows(id);
}

// Group commit acknowledges a redemption only after the batch holding it is committed: under a
// concurrent load cut by kill -9, every redemption a client got 200 for is there after the
// restart, and the counters agree with the rows.
TEST_F(Race, EveryAcknowledgedRedemptionOfAConcurrentLoadSurvivesKillMinus9) {
  start(1);
  const std::string code = "DURABLE-LOAD";
  const std::string id =
      create_code(code, R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT",)"
                        R"("amount_off":100},"redemption":{"quantity":null}})");
  constexpr int kLoadClients = 16;
  std::mutex m;
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < kLoadClients; ++i) {
    clients.emplace_back([&, i] {
      HttpClient c(first()->port());
      for (int n = 0; !stop.load(); ++n) {
        HttpResult r;
        try {
          r = c.request("POST", "/v1/redemptions",
                        redeem_body(code, "load-" + std::to_string(i) + "-" + std::to_string(n)),
                        kAuth);
        } catch (const std::exception&) {
          return;  // the server is gone
        }
        if (r.status != 200) return;
        std::lock_guard lock(m);
        acknowledged.emplace_back(r.json().at("parent_redemption").at("id").as_string());
      }
    });
  }
  while (true) {  // let the load run until enough answers came, then cut it mid-flight
    {
      std::lock_guard lock(m);
      if (acknowledged.size() >= 200) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  first()->kill_hard();
  stop = true;
  for (auto& t : clients) t.join();
  servers_.clear();
  start(1);
  HttpClient again(first()->port());
  for (const std::string& parent : acknowledged) {
    const auto got = again.request("GET", "/v1/redemptions/" + parent, "", kAuth);
    ASSERT_EQ(got.status, 200) << parent << " was acknowledged but is gone: " << got.body;
    EXPECT_EQ(got.json().at("result").as_string(), "SUCCESS");
  }
  const auto v = again.request("GET", "/v1/vouchers/" + code, "", kAuth);
  EXPECT_GE(v.json().at("redemption").at("redeemed_quantity").as_int64(),
            static_cast<int64_t>(acknowledged.size()));
  expect_counters_match_rows(id);
}

}  // namespace
}  // namespace openpromo::testing
