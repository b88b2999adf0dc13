// Campaign maintenance (issue 15, spec 13): edits merge metadata, and concurrent edits of one
// campaign or one voucher never lose one another (each PUT reads the row under its lock).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <latch>
#include <string>
#include <thread>
#include <vector>

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

}  // namespace
}  // namespace openpromo::testing
