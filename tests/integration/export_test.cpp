// Exports (issue 15, spec 13.5): POST /v1/exports runs in the background and gives a CSV that a
// CSV parser reads back with the requested columns and exactly the objects the API shows; the
// download needs the token and the credentials; bad requests are refused before anything runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <filesystem>
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

using Rows = std::vector<std::vector<std::string>>;

// An RFC 4180 reader written for the test (quoted fields, doubled quotes, CRLF records), so the
// server's writer is checked against an independent reading of the format.
Rows parse_csv(const std::string& text) {
  Rows rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, in_row = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    in_row = true;
    if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      in_row = false;
      ++i;
    } else {
      field += c;
    }
  }
  if (in_row) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

class ExportHttp : public SharedServerTest {
 protected:
  // POST /v1/exports (or `path`), then waits for DONE; the finished export object.
  boost::json::object export_done(const std::string& body,
                                  const std::string& path = "/v1/exports") {
    const auto created = post(path, body);
    EXPECT_EQ(created.status, 200) << created.body;
    if (created.status != 200) return {};
    const auto j = created.json().as_object();
    EXPECT_EQ(j.at("object").as_string(), "export");
    EXPECT_EQ(j.at("status").as_string(), "SCHEDULED");
    EXPECT_EQ(j.at("channel").as_string(), "API");
    EXPECT_TRUE(j.at("result").is_null());
    const std::string id(j.at("id").as_string());
    EXPECT_EQ(id.rfind("exp_", 0), 0u);
    boost::json::object last;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      last = get("/v1/exports/" + id).json().as_object();
      const auto status = last.at("status").as_string();
      if (status == "DONE" || status == "ERROR") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(last.at("status").as_string(), "DONE") << boost::json::serialize(last);
    return last;
  }
  // The path and query of result.url (the host is ours).
  static std::string download_target(const boost::json::object& e) {
    const std::string url(e.at("result").at("url").as_string());
    const auto path = url.find("/v1/exports/");
    EXPECT_NE(path, std::string::npos) << url;
    return url.substr(path);
  }
  Rows download(const boost::json::object& e) {
    const auto r = get(download_target(e));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/csv; charset=utf-8");
    return parse_csv(r.body);
  }
  // Column index by header.
  static std::map<std::string, size_t> columns(const Rows& rows) {
    std::map<std::string, size_t> out;
    if (rows.empty()) return out;
    for (size_t i = 0; i < rows[0].size(); ++i) out[rows[0][i]] = i;
    return out;
  }
};

TEST_F(ExportHttp, VoucherExportHasTheRequestedColumnsForEveryCodeOfTheCampaign) {
  ASSERT_EQ(post("/v1/campaigns", R"({"name":"exp-vouchers","campaign_type":"DISCOUNT_COUPONS",)"
                                  R"("voucher":{"type":"DISCOUNT_VOUCHER",)"
                                  R"("discount":{"type":"PERCENT","percent_off":15}}})")
                .status,
            200);
  // Codes whose metadata needs quoting: commas, quotes, line breaks, non-ASCII text.
  const std::map<std::string, std::string> notes{{"EXP-V-1", "plain"},
                                                 {"EXP-V-2", "a, b"},
                                                 {"EXP-V-3", "say \"hi\""},
                                                 {"EXP-V-4", "two\r\nlines"},
                                                 {"EXP-V-5", "Zürich – 東京"}};
  for (const auto& [code, note] : notes) {
    boost::json::object body{{"metadata", boost::json::object{{"note", note}}}};
    ASSERT_EQ(
        post("/v1/campaigns/exp-vouchers/vouchers/" + code, boost::json::serialize(body)).status,
        200);
  }
  ASSERT_EQ(post("/v1/campaigns/exp-vouchers/disable", "").status, 200);
  ASSERT_EQ(post("/v1/campaigns/exp-vouchers/enable", "").status, 200);
  ASSERT_EQ(post("/v1/vouchers/EXP-V-2/disable", "").status, 200);
  ASSERT_EQ(
      post("/v1/publications", R"({"voucher":"EXP-V-3","customer":{"source_id":"exp-holder"}})")
          .status,
      200);
  // Another campaign's code must not appear.
  ASSERT_EQ(post("/v1/vouchers/EXP-OTHER", R"({"type":"DISCOUNT_VOUCHER",)"
                                           R"("discount":{"type":"AMOUNT","amount_off":100}})")
                .status,
            200);
  const std::string campaign_id(get("/v1/campaigns/exp-vouchers").json().at("id").as_string());

  const auto e = export_done(
      R"({"exported_object":"voucher","parameters":{"campaign_id":")" + campaign_id +
      R"(","order":"code","fields":["code","id","voucher_type","value","discount_type",)"
      R"("campaign","active","customer_id","customer_source_id","redemption_count",)"
      R"("metadata.note"]}})");
  EXPECT_EQ(e.at("rows").as_int64(), 5);
  const Rows rows = download(e);
  ASSERT_EQ(rows.size(), 6u);  // header + 5 codes
  const std::vector<std::string> header{"Code",
                                        "ID",
                                        "Voucher Type",
                                        "Value",
                                        "Discount Type",
                                        "Campaign",
                                        "Active",
                                        "Customer ID",
                                        "Customer Source ID",
                                        "Redemption Count",
                                        "metadata.note"};
  EXPECT_EQ(rows[0], header);
  auto col = columns(rows);
  std::string previous;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    ASSERT_EQ(row.size(), header.size());
    const std::string& code = row[col["Code"]];
    EXPECT_LT(previous, code) << "ordered by code";
    previous = code;
    ASSERT_TRUE(notes.contains(code)) << code;
    // Each cell is what GET /v1/vouchers/{code} says.
    const auto v = get("/v1/vouchers/" + code).json().as_object();
    EXPECT_EQ(row[col["ID"]], v.at("id").as_string());
    EXPECT_EQ(row[col["Voucher Type"]], "DISCOUNT_VOUCHER");
    EXPECT_EQ(row[col["Value"]], "15");
    EXPECT_EQ(row[col["Discount Type"]], "PERCENT");
    EXPECT_EQ(row[col["Campaign"]], "exp-vouchers");
    EXPECT_EQ(row[col["Active"]], code == "EXP-V-2" ? "false" : "true");
    EXPECT_EQ(row[col["Redemption Count"]], "0");
    EXPECT_EQ(row[col["metadata.note"]], notes.at(code));
    if (code == "EXP-V-3") {
      EXPECT_EQ(row[col["Customer ID"]], v.at("holder_id").as_string());
      EXPECT_EQ(row[col["Customer Source ID"]], "exp-holder");
    } else {
      EXPECT_EQ(row[col["Customer ID"]], "");
      EXPECT_EQ(row[col["Customer Source ID"]], "");
    }
  }
  // The list shows it, newest first, under the contract's data_ref.
  const auto listed = get("/v1/exports").json().as_object();
  EXPECT_EQ(listed.at("data_ref").as_string(), "exports");
  EXPECT_EQ(listed.at("exports").as_array().at(0).at("id"), e.at("id"));
}

TEST_F(ExportHttp, ExportsPageThroughLargeSetsAndApplyFiltersAndDefaults) {
  ASSERT_EQ(post("/v1/campaigns", R"({"name":"exp-many","campaign_type":"DISCOUNT_COUPONS",)"
                                  R"("vouchers_count":2345,"voucher":{"type":"DISCOUNT_VOUCHER",)"
                                  R"("discount":{"type":"AMOUNT","amount_off":250}}})")
                .status,
            200);
  const std::string campaign_id(get("/v1/campaigns/exp-many").json().at("id").as_string());
  // Generation runs in the background: wait for every code.
  for (int i = 0; i < 600; ++i) {
    if (get("/v1/campaigns/exp-many").json().at("vouchers_count").as_int64() == 2345) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Without fields: the reference's defaults.
  const auto all = export_done(R"({"exported_object":"voucher","parameters":{"filters":{)"
                               R"("campaign_id":{"conditions":{"$in":[")" +
                               campaign_id + R"("]}}}}})");
  const Rows rows = download(all);
  ASSERT_EQ(rows.size(), 2346u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"Code", "Voucher Type", "Value", "Discount Type"}));
  std::set<std::string> codes;
  for (size_t i = 1; i < rows.size(); ++i) {
    codes.insert(rows[i][0]);
    EXPECT_EQ(rows[i][2], "250");
  }
  EXPECT_EQ(codes.size(), 2345u) << "every code once, across pages";

  // A filter on a field and a junction: the one disabled code.
  const std::string one = rows[1][0];
  ASSERT_EQ(post("/v1/vouchers/" + one + "/disable", "").status, 200);
  const auto inactive =
      export_done(R"({"exported_object":"voucher","parameters":{"fields":["code"],"filters":{)"
                  R"("junction":"and","active":{"conditions":{"$is":false}},)"
                  R"("campaign_id":{"conditions":{"$is":")" +
                  campaign_id + R"("}}}}})");
  EXPECT_EQ(download(inactive), (Rows{{"Code"}, {one}}));
}

TEST_F(ExportHttp, OtherObjectsExportTheirColumns) {
  ASSERT_EQ(post("/v1/customers", R"({"source_id":"exp-cust","name":"Ann, \"A\"","email":"a@x.io",)"
                                  R"("address":{"city":"Kraków"},"metadata":{"tier":"gold"}})")
                .status,
            200);
  ASSERT_EQ(post("/v1/vouchers/EXP-RED", R"({"type":"DISCOUNT_VOUCHER",)"
                                         R"("discount":{"type":"AMOUNT","amount_off":500}})")
                .status,
            200);
  const auto redeemed = post("/v1/redemptions", R"({"redeemables":[{"object":"voucher",)"
                                                R"("id":"EXP-RED"}],"customer":{"source_id":)"
                                                R"("exp-cust"},"order":{"source_id":"exp-ord-1",)"
                                                R"("amount":2000}})");
  ASSERT_EQ(redeemed.status, 200) << redeemed.body;

  const auto customers = export_done(
      R"({"exported_object":"customer","parameters":{"fields":["source_id","name","email",)"
      R"("address_city","redemptions_total_succeeded","orders_total_count","metadata.tier"],)"
      R"("filters":{"source_id":{"conditions":{"$is":"exp-cust"}}}}})");
  EXPECT_EQ(download(customers),
            (Rows{{"Source ID", "Name", "Email", "Address City", "Redemptions Total Succeeded",
                   "Orders Total Count", "metadata.tier"},
                  {"exp-cust", "Ann, \"A\"", "a@x.io", "Kraków", "1", "1", "gold"}}));

  const auto redemptions = export_done(
      R"({"exported_object":"redemption","parameters":{"fields":["voucher_code","customer_source_id",)"
      R"("order_amount","result"],"filters":{"customer_id":{"conditions":{"$is":")" +
      std::string(get("/v1/customers/exp-cust").json().at("id").as_string()) + R"("}}}}})");
  // As GET /v1/redemptions lists them: the parent of the (stacked) redemption, and its child for
  // the code.
  Rows redeemed_rows = download(redemptions);
  ASSERT_EQ(redeemed_rows.size(), 3u);
  std::sort(redeemed_rows.begin() + 1, redeemed_rows.end());
  EXPECT_EQ(redeemed_rows, (Rows{{"Voucher Code", "Customer Source ID", "Order Amount", "Result"},
                                 {"", "exp-cust", "2000", "SUCCESS"},
                                 {"EXP-RED", "exp-cust", "2000", "SUCCESS"}}));

  const auto orders = export_done(R"({"parameters":{"fields":["source_id","status","amount",)"
                                  R"("total_discount_amount"],"filters":{"source_id":)"
                                  R"({"conditions":{"$is":"exp-ord-1"}}}}})",
                                  "/v1/orders/export");
  EXPECT_EQ(download(orders), (Rows{{"Source ID", "Status", "Amount", "Total Discount Amount"},
                                    {"exp-ord-1", "PAID", "2000", "500"}}));

  ASSERT_EQ(post("/v1/publications",
                 R"({"voucher":"EXP-RED","customer":{"source_id":"exp-cust"},"channel":"email"})")
                .status,
            200);
  const auto publications = export_done(
      R"({"exported_object":"publication","parameters":{"fields":["voucher_code",)"
      R"("customer_source_id","channel"],"filters":{"channel":{"conditions":{"$is":"email"}}}}})");
  EXPECT_EQ(download(publications), (Rows{{"Voucher Code", "Customer Source ID", "Channel"},
                                          {"EXP-RED", "exp-cust", "email"}}));

  // A gift card's transactions, through the voucher shortcut.
  ASSERT_EQ(
      post("/v1/vouchers/EXP-GIFT", R"({"type":"GIFT_VOUCHER","gift":{"amount":1000}})").status,
      200);
  ASSERT_EQ(post("/v1/vouchers/EXP-GIFT/balance", R"({"amount":2500,"reason":"top, up"})").status,
            200);
  const auto transactions =
      export_done(R"({"parameters":{"fields":["type","amount","balance","reason"]}})",
                  "/v1/vouchers/EXP-GIFT/transactions/export");
  EXPECT_EQ(transactions.at("exported_object").as_string(), "voucher_transactions");
  EXPECT_EQ(download(transactions), (Rows{{"Type", "Amount", "Balance", "Reason"},
                                          {"CREDITS_ADDITION", "2500", "3500", "top, up"}}));
}

TEST_F(ExportHttp, BadRequestsAreRefusedAndDownloadsNeedTokenAndKey) {
  const int64_t before = get("/v1/exports").json().at("total").as_int64();
  const auto fields = post("/v1/exports", R"({"exported_object":"voucher",)"
                                          R"("parameters":{"fields":["code","secret"]}})");
  expect_error(fields, 400, "invalid_export_fields");
  EXPECT_NE(fields.body.find("secret"), std::string::npos);
  EXPECT_NE(fields.body.find("customer_source_id"), std::string::npos) << "lists allowed fields";
  expect_error(post("/v1/exports", R"({"exported_object":"coupons"})"), 400, "invalid_payload");
  expect_error(post("/v1/exports", R"({})"), 400, "invalid_payload");
  expect_error(post("/v1/exports", R"({"exported_object":"voucher","parameters":{"filters":)"
                                   R"({"nope":{"conditions":{"$is":"x"}}}}})"),
               400, "invalid_payload");
  expect_error(
      post("/v1/exports", R"({"exported_object":"voucher","parameters":{"order":"value"}})"), 400,
      "invalid_payload");
  expect_error(post("/v1/exports", R"({"exported_object":"voucher","parameters":{"filters":)"
                                   R"({"code":{"conditions":{"$near":"x"}}}}})"),
               400, "invalid_payload");
  expect_error(post("/v1/exports", R"({"exported_object":"voucher","parameters":[1]})"), 400,
               "invalid_payload");
  expect_error(post("/v1/exports", "[1,2"), 400, "invalid_payload");
  // Nothing was queued by any of them.
  EXPECT_EQ(get("/v1/exports").json().at("total").as_int64(), before);

  const auto e = export_done(R"({"exported_object":"customer"})");
  const std::string target = download_target(e);
  const std::string id(e.at("id").as_string());
  // The token is needed: a wrong one is not found, without the token it is the export object.
  expect_error(get("/v1/exports/" + id + "?token=wrong"), 404, "not_found");
  EXPECT_EQ(get("/v1/exports/" + id).json().at("id").as_string(), id);
  // And the credentials.
  HttpClient anonymous(server()->port());
  EXPECT_EQ(anonymous.request("GET", target).status, 401);
  EXPECT_EQ(get(target).status, 200);

  // Deleted: gone, file included.
  EXPECT_EQ(del("/v1/exports/" + id).status, 204);
  expect_error(get("/v1/exports/" + id), 404, "not_found");
  expect_error(get(target), 404, "not_found");
  expect_error(del("/v1/exports/" + id), 404, "not_found");
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(server()->dir() + "/exports", ec)) {
    EXPECT_EQ(entry.path().filename().string().find(id), std::string::npos) << entry.path();
  }
  expect_alive();
}

}  // namespace
}  // namespace openpromo::testing
