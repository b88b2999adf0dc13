// Publishing a campaign to a segment (issue 14): one async action gives every member one code,
// skips members who hold one already, stops cleanly when the codes run out, and after a crash
// resumes where its last committed batch ended without giving anyone a second code.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>

#include "support/async_action.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/test_database.h"

namespace openpromo::testing {
namespace {

const HeaderList kAuth{{"X-App-Id", ServerProcess::kAppId},
                       {"X-App-Token", ServerProcess::kAppToken},
                       {"Content-Type", "application/json"}};

class SegmentPublication : public ::testing::Test {
 protected:
  void start(ServerProcess::Options options = {}) {
    options.db_url = database_.url();
    server_ = std::make_unique<ServerProcess>(options);
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  HttpResult post(const std::string& path, const std::string& body) {
    return client_->request("POST", path, body, kAuth);
  }
  // A STATIC campaign of `codes` codes, generated; its id.
  std::string campaign(const std::string& name, int codes) {
    const auto r =
        post("/v1/campaigns", R"({"name":")" + name +
                                  R"(","type":"STATIC","campaign_type":"DISCOUNT_COUPONS",)"
                                  R"("vouchers_count":)" +
                                  std::to_string(codes) +
                                  R"(,"voucher":{"type":"DISCOUNT_VOUCHER",)"
                                  R"("discount":{"type":"AMOUNT","amount_off":100}}})");
    EXPECT_EQ(r.status, 200) << r.body;
    const auto body = r.json();
    const auto done = poll_action(
        *client_, kAuth, std::string(body.at("async_action_id").as_string()), 120, action_finished);
    EXPECT_EQ(done.at("status").as_string(), "DONE");
    return std::string(body.at("id").as_string());
  }
  // `count` customers seg-<i> written straight into the database (fast set-up for large
  // segments); even ones have metadata tier gold, odd ones silver.
  void insert_customers(int count) {
    const std::string project = database_.scalar("SELECT id FROM projects LIMIT 1");
    database_.execute(
        "INSERT INTO customers (id, project_id, source_id, definition, created_at)"
        " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
        std::to_string(count) + ") SELECT 'cust_seg' || (1000000 + i), '" + project +
        "', 'seg-' || i, CASE WHEN i % 2 = 0 THEN '{\"metadata\":{\"tier\":\"gold\"}}'"
        " ELSE '{\"metadata\":{\"tier\":\"silver\"}}' END, 1700000000000 FROM n");
  }
  std::string gold_segment() {
    const auto r = post("/v1/segments", R"({"name":"gold","type":"auto-update","filter":)"
                                        R"({"metadata.tier":{"conditions":{"$is":["gold"]}}}})");
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().at("id").as_string());
  }
  std::string publish_to(const std::string& campaign_name, const std::string& segment) {
    const auto r =
        post("/v1/publications/bulk/async", R"({"campaign":{"name":")" + campaign_name +
                                                R"("},"segment":{"id":")" + segment + R"("}})");
    EXPECT_EQ(r.status, 202) << r.body;
    return r.status == 202 ? std::string(r.json().at("async_action_id").as_string()) : "";
  }
  // Codes of the campaign held, and distinct holders among them.
  std::pair<std::string, std::string> holders_of(const std::string& campaign_id) {
    const std::string where =
        " FROM vouchers WHERE campaign_id = '" + campaign_id + "' AND holder_id IS NOT NULL";
    return {database_.scalar("SELECT COUNT(*)" + where),
            database_.scalar("SELECT COUNT(DISTINCT holder_id)" + where)};
  }

  TestDatabase database_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(SegmentPublication, EveryMemberGetsOneCodeAndHoldersAreSkipped) {
  start();
  const std::string camp = campaign("seg-static", 60);
  std::string members;
  for (int i = 0; i < 40; ++i) {
    const std::string source = "static-" + std::to_string(i);
    ASSERT_EQ(post("/v1/customers", R"({"source_id":")" + source + R"("})").status, 200);
    members += (i ? ",\"" : "\"") + source + "\"";
  }
  ASSERT_EQ(post("/v1/customers", R"({"source_id":"outsider"})").status, 200);
  const auto seg =
      post("/v1/segments", R"({"name":"listed","type":"static","customers":[)" + members + "]}");
  ASSERT_EQ(seg.status, 200) << seg.body;
  const std::string segment(seg.json().at("id").as_string());
  // Three members hold a code already.
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(post("/v1/publications", R"({"campaign":{"name":"seg-static"},"customer":)"
                                       R"({"source_id":"static-)" +
                                           std::to_string(i * 10) + R"("}})")
                  .status,
              200);
  }

  const auto done =
      poll_action(*client_, kAuth, publish_to("seg-static", segment), 60, action_finished);
  ASSERT_EQ(done.at("status").as_string(), "DONE") << boost::json::serialize(done);
  EXPECT_EQ(done.at("type").as_string(), "PUBLICATIONS.SEGMENT_PUBLISH");
  EXPECT_EQ(done.at("progress").as_int64(), 100);
  EXPECT_EQ(done.at("result").at("done_count").as_int64(), 37);
  EXPECT_EQ(done.at("result").at("skipped_count").as_int64(), 3);
  EXPECT_EQ(holders_of(camp), std::make_pair(std::string("40"), std::string("40")));
  EXPECT_EQ(client_->request("GET", "/v1/customers/outsider/redeemables", "", kAuth)
                .json()
                .at("total")
                .as_int64(),
            0);
  EXPECT_EQ(client_->request("GET", "/v1/customers/static-7/redeemables", "", kAuth)
                .json()
                .at("total")
                .as_int64(),
            1);

  // Again: nobody gets a second code.
  const auto again =
      poll_action(*client_, kAuth, publish_to("seg-static", segment), 60, action_finished);
  ASSERT_EQ(again.at("status").as_string(), "DONE");
  EXPECT_EQ(again.at("result").at("done_count").as_int64(), 0);
  EXPECT_EQ(again.at("result").at("skipped_count").as_int64(), 40);
  EXPECT_EQ(holders_of(camp), std::make_pair(std::string("40"), std::string("40")));
}

TEST_F(SegmentPublication, AFilterSegmentRunsOutOfCodesCleanlyAndBadRequestsAreRefused) {
  start();
  insert_customers(30);  // 15 gold
  const std::string camp = campaign("seg-few", 10);
  const std::string segment = gold_segment();
  const auto done =
      poll_action(*client_, kAuth, publish_to("seg-few", segment), 60, action_finished);
  ASSERT_EQ(done.at("status").as_string(), "FAILED") << boost::json::serialize(done);
  EXPECT_EQ(done.at("result").at("done_count").as_int64(), 10);
  EXPECT_NE(std::string(done.at("result").at("message").as_string()).find("ran out of codes"),
            std::string::npos);
  EXPECT_EQ(holders_of(camp), std::make_pair(std::string("10"), std::string("10")));
  // Only gold customers got one.
  EXPECT_EQ(database_.scalar("SELECT COUNT(*) FROM vouchers v JOIN customers c ON c.id = "
                             "v.holder_id WHERE v.campaign_id = '" +
                             camp + "' AND c.definition LIKE '%silver%'"),
            "0");

  auto refused = [&](const std::string& body, int status, const std::string& key) {
    const auto r = post("/v1/publications/bulk/async", body);
    EXPECT_EQ(r.status, status) << body << " -> " << r.body;
    EXPECT_NE(r.body.find("\"key\":\"" + key + "\""), std::string::npos) << r.body;
  };
  refused(R"({"segment":{"id":")" + segment + R"("}})", 400, "invalid_payload");
  refused(R"({"campaign":"seg-few"})", 400, "invalid_payload");
  refused(R"({"campaign":"seg-none","segment":")" + segment + R"("})", 404, "not_found");
  refused(R"({"campaign":"seg-few","segment":"seg_nope"})", 404, "not_found");
  refused("[1]", 400, "invalid_payload");
}

TEST_F(SegmentPublication, AKilledJobResumesAndNobodyGetsTwoCodes) {
  const int customers = test_backend() == "sqlite" ? 16'000 : 6'000;
  // A short lease: on PostgreSQL the restarted node takes the job over once the dead one's
  // lease ran out.
  ServerProcess::Options options;
  options.extra_args = {"--job-lease-ms", "2000"};
  start(options);
  insert_customers(customers);
  const std::string camp = campaign("seg-big", customers / 2);
  const std::string segment = gold_segment();
  const std::string action = publish_to("seg-big", segment);
  const auto midway = poll_action(*client_, kAuth, action, 120, [](const boost::json::object& a) {
    return a.at("progress").as_int64() >= 15 || action_finished(a);
  });
  ASSERT_FALSE(action_finished(midway)) << "killed too late to test a resume";
  server_->kill_hard();
  const int64_t before = std::stoll(holders_of(camp).first);
  EXPECT_GT(before, 0);
  EXPECT_LT(before, customers / 2);

  start(options);
  const auto done = poll_action(*client_, kAuth, action, 300, action_finished);
  ASSERT_EQ(done.at("status").as_string(), "DONE") << boost::json::serialize(done);
  const std::string half = std::to_string(customers / 2);
  EXPECT_EQ(holders_of(camp), std::make_pair(half, half));
  // One publication per gold customer, whatever the crash cut.
  EXPECT_EQ(
      database_.scalar("SELECT COUNT(*) FROM publications WHERE campaign_id = '" + camp + "'"),
      half);
  // Each batch and its progress commit together: no member was looked at twice.
  EXPECT_EQ(done.at("result").at("done_count").as_int64(), customers / 2);
  EXPECT_EQ(done.at("result").at("skipped_count").as_int64(), 0);
}

}  // namespace
}  // namespace openpromo::testing
