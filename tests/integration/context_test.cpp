// Orders, segments, product collections and events against the real binary (issue 5): hostile
// and contradictory input gets Voucherify's error JSON and writes nothing; amounts stay exact.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/server_process.h"
#include "support/shared_server_test.h"

namespace openpromo::testing {
namespace {

const HeaderList kAuth{{"X-App-Id", ServerProcess::kAppId},
                       {"X-App-Token", ServerProcess::kAppToken},
                       {"Content-Type", "application/json"}};

class ContextHttp : public SharedServerTest {
 protected:
  int64_t order_count() {
    auto r = get("/v1/orders?limit=1");
    const auto json = r.json();
    return json.at("total").as_int64();
  }
};

TEST_F(ContextHttp, AmountsAreComputedFromItemsExactly) {
  auto r = post("/v1/orders", R"({"source_id":"exact-1","items":[)"
                              R"({"source_id":"a","quantity":3,"price":333},)"
                              R"({"source_id":"b","quantity":1,"amount":1})"
                              R"(]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto json = r.json();
  EXPECT_EQ(json.at("amount").as_int64(), 1000);
  EXPECT_EQ(json.at("total_amount").as_int64(), 1000);
  EXPECT_EQ(json.at("status").as_string(), "CREATED");
  EXPECT_EQ(json.at("items").as_array().at(0).at("amount").as_int64(), 999);
}

TEST_F(ContextHttp, ContradictoryAmountsAreRefusedAndNothingIsWritten) {
  const int64_t before = order_count();
  expect_error(post("/v1/orders", R"({"source_id":"contra-1","amount":5000,)"
                                  R"("items":[{"source_id":"a","quantity":2,"price":1000}]})"),
               400, "invalid_order");
  expect_error(post("/v1/orders", R"({"source_id":"contra-2",)"
                                  R"("items":[{"source_id":"a","quantity":2,"price":1000,)"
                                  R"("amount":1999}]})"),
               400, "invalid_order");
  expect_error(post("/v1/orders", R"({"source_id":"contra-3","amount":100,"discount_amount":101})"),
               400, "invalid_order");
  EXPECT_EQ(order_count(), before);
  EXPECT_EQ(get("/v1/orders/contra-1").status, 404);
}

TEST_F(ContextHttp, HostileOrderInputGetsErrorJson) {
  // Overflowing arithmetic, negative and fractional money, wrong types, too many items. Each
  // amount is at most 10^13 minor units (core/money.h); a product of two within bounds can
  // still leave them.
  expect_error(post("/v1/orders", R"({"items":[{"source_id":"a","quantity":1000000,)"
                                  R"("price":99999999999}]})"),
               400, "invalid_order");
  expect_error(post("/v1/orders", R"({"items":[{"source_id":"a","price":999999999999999}]})"), 400,
               "invalid_payload");
  expect_error(post("/v1/orders", R"({"amount":-1})"), 400, "invalid_payload");
  expect_error(post("/v1/orders", R"({"amount":10.5})"), 400, "invalid_payload");
  expect_error(post("/v1/orders", R"({"amount":"100"})"), 400, "invalid_payload");
  expect_error(post("/v1/orders", R"({"items":{"a":1}})"), 400, "invalid_payload");
  expect_error(post("/v1/orders", R"({"status":"SHIPPED"})"), 400, "invalid_payload");
  expect_error(post("/v1/orders", R"({"items":[{"product_id":"prod_missing"}]})"), 404,
               "not_found");
  std::string many = R"({"items":[)";
  for (int i = 0; i < 501; ++i) many += std::string(i ? "," : "") + R"({"source_id":"x"})";
  many += "]}";
  expect_error(post("/v1/orders", many), 400, "invalid_payload");
  expect_error(post("/v1/orders", "[1,2"), 400, "invalid_payload");
  EXPECT_EQ(get("/health").status, 200);
}

TEST_F(ContextHttp, StatusMovesOnlyForward) {
  ASSERT_EQ(post("/v1/orders", R"({"source_id":"flow-1","status":"PAID","amount":100})").status,
            200);
  auto back = client_->request("PUT", "/v1/orders/flow-1", R"({"status":"CREATED"})", kAuth);
  expect_error(back, 400, "invalid_order_status");
  auto done = client_->request("PUT", "/v1/orders/flow-1", R"({"status":"FULFILLED"})", kAuth);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(get("/v1/orders/flow-1").json().at("status").as_string(), "FULFILLED");
}

TEST_F(ContextHttp, MalformedSegmentsAndCollectionsAreRefused) {
  expect_error(post("/v1/segments", R"({"name":"x","type":"auto-update"})"), 400,
               "invalid_payload");
  expect_error(post("/v1/segments", R"({"name":"x","type":"auto-update",)"
                                    R"("filter":{"email":{"conditions":{"$nope":[1]}}}})"),
               400, "invalid_payload");
  expect_error(post("/v1/segments", R"({"name":"x","type":"weird"})"), 400, "invalid_payload");
  expect_error(post("/v1/segments", R"({"name":"x","type":"static","customers":["cust_nope"]})"),
               404, "not_found");
  std::string deep = R"({"email":{"conditions":{"$is":["a"]}}})";
  for (int i = 0; i < 6; ++i) deep = R"({"junction":"and","g":)" + deep + "}";
  expect_error(
      post("/v1/segments", R"({"name":"deep","type":"auto-update","filter":)" + deep + "}"), 400,
      "invalid_payload");
  expect_error(post("/v1/product-collections", R"({"name":"x","type":"STATIC","products":[]})"),
               400, "invalid_payload");
  expect_error(
      post("/v1/product-collections",
           R"({"name":"x","type":"STATIC","products":[{"id":"prod_nope","object":"product"}]})"),
      404, "not_found");
  EXPECT_EQ(get("/v1/segments?limit=100").json().at("total").as_int64(), 0);
  EXPECT_EQ(get("/v1/product-collections?limit=100").json().at("total").as_int64(), 0);
}

TEST_F(ContextHttp, ACollectionInUseCannotBeDeleted) {
  auto product = post("/v1/products", R"({"source_id":"in-use-p","name":"P","price":100})");
  ASSERT_EQ(product.status, 200) << product.body;
  const auto product_json = product.json();
  const std::string product_id(product_json.at("id").as_string());
  auto pc =
      post("/v1/product-collections", R"({"name":"used","type":"STATIC","products":[{"id":")" +
                                          product_id + R"(","object":"product"}]})");
  ASSERT_EQ(pc.status, 200) << pc.body;
  const auto pc_json = pc.json();
  const std::string id(pc_json.at("id").as_string());
  auto rule = post("/v1/validation-rules",
                   R"({"name":"needs used","rules":{"1":{"name":"order.items.any",)"
                   R"("conditions":{"$in":[{"id":")" +
                       id + R"(","object":"products_collection"}]},"rules":{}},"logic":"1"}})");
  ASSERT_EQ(rule.status, 200) << rule.body;
  expect_error(client_->request("DELETE", "/v1/product-collections/" + id, "", kAuth), 400,
               "resource_in_use");
  EXPECT_EQ(get("/v1/product-collections/" + id).status, 200);
}

// Spec 16.5: a schema's types hold on every write of customer, order and product metadata;
// the refused write changes nothing.
TEST_F(ContextHttp, MetadataSchemasRefuseWritesThatBreakThem) {
  auto health = get("/v1/metadata-schemas");
  ASSERT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(health.json().at("data_ref").as_string(), "schemas");
  const std::string schema_body =
      R"({"related_object":"customer","allow_defined_only":false,"properties":{)"
      R"("age":{"type":"number","optional":true},)"
      R"("home":{"type":"geopoint","optional":true},)"
      R"("tags":{"type":"string","array":true,"optional":true}}})";
  auto wrong_project = post("/management/v1/projects/proj_nope/metadata-schemas", schema_body);
  expect_error(wrong_project, 404, "not_found");

  ASSERT_EQ(post("/v1/customers", R"({"source_id":"schema-c","metadata":{"age":"old"}})").status,
            200)
      << "no schema yet: anything goes";
  const std::string project = "me";  // ours: the key's own project (ids are not exposed yet)
  auto created = post("/management/v1/projects/" + project + "/metadata-schemas", schema_body);
  ASSERT_EQ(created.status, 200) << created.body;
  auto listed = get("/v1/metadata-schemas/customer");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json().at("properties").at("age").at("type").as_string(), "number");

  expect_error(post("/v1/customers", R"({"source_id":"schema-c","metadata":{"age":"forty"}})"), 400,
               "metadata_validation_failed");
  expect_error(post("/v1/customers", R"({"source_id":"schema-c","metadata":{"home":"geo:91,0"}})"),
               400, "metadata_validation_failed");
  expect_error(post("/v1/customers", R"({"source_id":"schema-c","metadata":{"tags":["a",1]}})"),
               400, "metadata_validation_failed");
  auto unchanged = get("/v1/customers/schema-c").json();
  EXPECT_EQ(unchanged.at("metadata").at("age").as_string(), "old");
  auto ok = post("/v1/customers", R"({"source_id":"schema-c","metadata":{"age":40,)"
                                  R"("home":"geo:52.23,21.01","tags":["a","b"],"free":"x"}})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json().at("metadata").at("age").as_int64(), 40);

  ASSERT_EQ(post("/management/v1/projects/" + project + "/metadata-schemas",
                 R"({"related_object":"order","allow_defined_only":true,"properties":{)"
                 R"("channel":{"type":"string","optional":true}}})")
                .status,
            200);
  expect_error(post("/v1/orders", R"({"source_id":"schema-o","amount":1,"metadata":{"x":1}})"), 400,
               "metadata_validation_failed");
  EXPECT_EQ(get("/v1/orders/schema-o").status, 404);
  EXPECT_EQ(post("/v1/orders", R"({"source_id":"schema-o","amount":1,)"
                               R"("metadata":{"channel":"web"}})")
                .status,
            200);
}

TEST_F(ContextHttp, AnOrderCanBeGivenASourceIdLater) {
  auto created = post("/v1/orders", R"({"amount":100})");
  ASSERT_EQ(created.status, 200) << created.body;
  const auto json = created.json();
  const std::string id(json.at("id").as_string());
  auto named = client_->request("PUT", "/v1/orders/" + id, R"({"source_id":"named-later"})", kAuth);
  ASSERT_EQ(named.status, 200) << named.body;
  auto found = get("/v1/orders/named-later");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json().at("id").as_string(), id);
  ASSERT_EQ(post("/v1/orders", R"({"source_id":"taken","amount":1})").status, 200);
  expect_error(client_->request("PUT", "/v1/orders/" + id, R"({"source_id":"taken"})", kAuth), 400,
               "invalid_payload");
}

TEST_F(ContextHttp, ARefusedOrderDoesNotCreateItsCustomer) {
  ASSERT_EQ(post("/v1/orders", R"({"source_id":"final-1","status":"PAID","amount":100})").status,
            200);
  ASSERT_EQ(
      client_->request("PUT", "/v1/orders/final-1", R"({"status":"FULFILLED"})", kAuth).status,
      200);
  expect_error(post("/v1/orders", R"({"source_id":"final-1","status":"CREATED",)"
                                  R"("customer":{"source_id":"never-made"}})"),
               400, "invalid_order_status");
  EXPECT_EQ(get("/v1/customers/never-made").status, 404);
}

// A STATIC collection that lists one SKU holds that SKU's lines only, not the other SKUs of its
// product that share the product id.
TEST_F(ContextHttp, ACollectionOfOneSkuDoesNotTakeItsSiblings) {
  auto product = post("/v1/products", R"({"source_id":"sib-p","name":"P","price":1000})");
  ASSERT_EQ(product.status, 200) << product.body;
  const auto product_json = product.json();
  const std::string product_id(product_json.at("id").as_string());
  auto sku1 = post("/v1/products/" + product_id + "/skus",
                   R"({"source_id":"sib-1","sku":"small","price":1000})");
  ASSERT_EQ(sku1.status, 200) << sku1.body;
  ASSERT_EQ(post("/v1/products/" + product_id + "/skus",
                 R"({"source_id":"sib-2","sku":"large","price":5000})")
                .status,
            200);
  const auto sku1_json = sku1.json();
  auto pc = post("/v1/product-collections",
                 R"({"name":"one sku","type":"STATIC","products":[{"id":")" +
                     std::string(sku1_json.at("id").as_string()) + R"(","product_id":")" +
                     product_id + R"(","object":"sku"}]})");
  ASSERT_EQ(pc.status, 200) << pc.body;
  const auto pc_json = pc.json();
  const std::string pc_id(pc_json.at("id").as_string());
  // Valid only if a line of the collection costs at least 5000: only the sibling does.
  auto rule = post("/v1/validation-rules",
                   R"({"name":"pricey member","rules":{"1":{"name":"order.items.any",)"
                   R"("conditions":{"$in":[{"id":")" +
                       pc_id +
                       R"(","object":"products_collection"}]},"rules":{"1":{"name":)"
                       R"("order.items.price","conditions":{"$more_than_or_equal":[5000]}}}},)"
                       R"("logic":"1"}})");
  ASSERT_EQ(rule.status, 200) << rule.body;
  const auto rule_json = rule.json();
  ASSERT_EQ(post("/v1/vouchers/SIBLING",
                 R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100},)"
                 R"("validation_rules":[")" +
                     std::string(rule_json.at("id").as_string()) + R"("]})")
                .status,
            200);
  auto v = post("/v1/validations",
                R"({"redeemables":[{"object":"voucher","id":"SIBLING"}],"order":{"items":[)"
                R"({"source_id":"sib-1","related_object":"sku","product_id":")" +
                    product_id +
                    R"(","quantity":1,"price":1000},)"
                    R"({"source_id":"sib-2","related_object":"sku","product_id":")" +
                    product_id + R"(","quantity":1,"price":5000}]}})");
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_FALSE(v.json().at("valid").as_bool()) << v.body;
}

// Spec 16.3: in AUTO_UPDATE collections SKUs are judged on their own fields; a matching product
// does not pull its SKUs in.
TEST_F(ContextHttp, AnAutoUpdateCollectionJudgesSkusOnTheirOwn) {
  auto product = post("/v1/products", R"({"source_id":"auto-p","name":"P","price":5000,)"
                                      R"("metadata":{"line":"pro"}})");
  ASSERT_EQ(product.status, 200) << product.body;
  const auto product_json = product.json();
  const std::string product_id(product_json.at("id").as_string());
  ASSERT_EQ(post("/v1/products/" + product_id + "/skus",
                 R"({"source_id":"auto-s","sku":"plain","price":5000})")
                .status,
            200);
  auto pc = post("/v1/product-collections", R"({"name":"pro line","type":"AUTO_UPDATE","filter":)"
                                            R"({"metadata.line":{"conditions":{"$is":["pro"]}}}})");
  ASSERT_EQ(pc.status, 200) << pc.body;
  const auto pc_json = pc.json();
  auto rule = post("/v1/validation-rules",
                   R"({"name":"pro line","rules":{"1":{"name":"order.items.any",)"
                   R"("conditions":{"$in":[{"id":")" +
                       std::string(pc_json.at("id").as_string()) +
                       R"(","object":"products_collection"}]},"rules":{}},"logic":"1"}})");
  ASSERT_EQ(rule.status, 200) << rule.body;
  const auto rule_json = rule.json();
  ASSERT_EQ(post("/v1/vouchers/PRO-LINE",
                 R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100},)"
                 R"("validation_rules":[")" +
                     std::string(rule_json.at("id").as_string()) + R"("]})")
                .status,
            200);
  auto validate = [&](const std::string& line) {
    auto r = post("/v1/validations",
                  R"({"redeemables":[{"object":"voucher","id":"PRO-LINE"}],"order":{"items":[)" +
                      line + "]}}");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().at("valid").as_bool();
  };
  EXPECT_TRUE(validate(R"({"source_id":"auto-p","related_object":"product","quantity":1})"));
  EXPECT_FALSE(validate(R"({"source_id":"auto-s","related_object":"sku","product_id":")" +
                        product_id + R"(","quantity":1})"))
      << "the SKU's own metadata has no line: not a member";
}

// CSV cells are text: a schema that types a key as a number still accepts imported rows.
TEST_F(ContextHttp, CsvImportsFollowTheSchemaTypes) {
  // Tests share one server: replace whatever customer schema an earlier test left.
  (void)client_->request("DELETE", "/management/v1/projects/me/metadata-schemas/customer", "",
                         kAuth);
  ASSERT_EQ(post("/management/v1/projects/me/metadata-schemas",
                 R"({"related_object":"customer","properties":{"age":{"type":"number"},)"
                 R"("vip":{"type":"boolean"}}})")
                .status,
            200);
  const std::string boundary = "XBOUNDARYX";
  const std::string body = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"file\"; "
                           "filename=\"c.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                           "source_id,Metadata_age,Metadata_vip\r\ncsv-typed,42,true\r\n"
                           "csv-bad,forty,false\r\n\r\n--" +
                           boundary + "--\r\n";
  const HeaderList headers{{"X-App-Id", ServerProcess::kAppId},
                           {"X-App-Token", ServerProcess::kAppToken},
                           {"Content-Type", "multipart/form-data; boundary=" + boundary}};
  auto started = client_->request("POST", "/v1/customers/importCSV", body, headers);
  ASSERT_EQ(started.status, 202) << started.body;
  const auto started_json = started.json();
  const std::string action(started_json.at("async_action_id").as_string());
  std::string status;
  boost::json::value done;
  for (int i = 0; i < 100 && status != "DONE"; ++i) {
    done = get("/v1/async-actions/" + action).json();
    status = std::string(done.at("status").as_string());
    if (status != "DONE") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(status, "DONE") << boost::json::serialize(done);
  EXPECT_EQ(done.at("result").at("done_count").as_int64(), 1) << boost::json::serialize(done);
  EXPECT_EQ(done.at("result").at("failed_count").as_int64(), 1);
  auto c = get("/v1/customers/csv-typed").json();
  EXPECT_EQ(c.at("metadata").at("age").as_int64(), 42);
  EXPECT_EQ(c.at("metadata").at("vip").as_bool(), true);
  EXPECT_EQ(get("/v1/customers/csv-bad").status, 404);
  ASSERT_EQ(
      client_->request("DELETE", "/management/v1/projects/me/metadata-schemas/customer", "", kAuth)
          .status,
      204);
}

// Lists show each customer's order counters as single reads do (read for the page at once).
TEST_F(ContextHttp, CustomerListsShowOrderCounters) {
  for (const char* o : {R"({"source_id":"lc-1","status":"PAID","amount":300,)"
                        R"("customer":{"source_id":"list-a","name":"listed"}})",
                        R"({"source_id":"lc-2","status":"FULFILLED","amount":500,)"
                        R"("customer":{"source_id":"list-a"}})",
                        R"({"source_id":"lc-3","status":"CREATED","amount":900,)"
                        R"("customer":{"source_id":"list-a"}})",
                        R"({"source_id":"lc-4","status":"PAID","amount":700,)"
                        R"("customer":{"source_id":"list-b","name":"listed"}})"}) {
    ASSERT_EQ(post("/v1/orders", o).status, 200) << o;
  }
  auto list = get("/v1/customers?name=listed&limit=10").json();
  std::map<std::string, boost::json::value> by_source;
  for (const auto& c : list.at("customers").as_array()) {
    by_source[std::string(c.at("source_id").as_string())] = c.at("summary").at("orders");
  }
  ASSERT_EQ(by_source.size(), 2u) << boost::json::serialize(list);
  EXPECT_EQ(by_source["list-a"].at("total_count").as_int64(), 2);
  EXPECT_EQ(by_source["list-a"].at("total_amount").as_int64(), 800);
  EXPECT_EQ(by_source["list-a"].at("last_order_amount").as_int64(), 500);
  EXPECT_EQ(by_source["list-b"].at("total_count").as_int64(), 1);
  EXPECT_EQ(by_source["list-b"].at("average_amount").as_int64(), 700);
  // The single read agrees.
  auto single = get("/v1/customers/list-a").json();
  EXPECT_EQ(single.at("summary").at("orders"), by_source["list-a"]);
}

// Spec 16.5: required definitions must be present when a resource is created, not on updates.
TEST_F(ContextHttp, RequiredMetadataIsNeededOnCreateOnly) {
  ASSERT_EQ(post("/management/v1/projects/me/metadata-schemas",
                 R"({"related_object":"product","properties":{)"
                 R"("brand":{"type":"string","optional":false}}})")
                .status,
            200);
  expect_error(post("/v1/products", R"({"source_id":"req-p","name":"No brand"})"), 400,
               "metadata_validation_failed");
  EXPECT_EQ(get("/v1/products/req-p").status, 404);
  ASSERT_EQ(
      post("/v1/products", R"({"source_id":"req-p","name":"Branded","metadata":{"brand":"acme"}})")
          .status,
      200);
  auto renamed = client_->request("PUT", "/v1/products/req-p", R"({"name":"Renamed"})", kAuth);
  EXPECT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(post("/v1/products", R"({"source_id":"req-p","price":100})").status, 200)
      << "an upsert that finds the product is an update";
}

// Spec 16.5: campaigns, vouchers and promotion tiers are checked like customers.
TEST_F(ContextHttp, MetadataSchemasHoldForCampaignsVouchersAndTiers) {
  ASSERT_EQ(post("/management/v1/projects/me/metadata-schemas",
                 R"({"related_object":"campaign","properties":{)"
                 R"("region":{"type":"string","optional":false}}})")
                .status,
            200);
  ASSERT_EQ(post("/management/v1/projects/me/metadata-schemas",
                 R"({"related_object":"voucher","properties":{"batch":{"type":"number"}}})")
                .status,
            200);
  ASSERT_EQ(post("/management/v1/projects/me/metadata-schemas",
                 R"({"related_object":"promotion_tier","allow_defined_only":true,)"
                 R"("properties":{"slot":{"type":"string"}}})")
                .status,
            200);
  const std::string voucher =
      R"("voucher":{"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100}})";
  expect_error(post("/v1/campaigns",
                    R"({"name":"No region","campaign_type":"DISCOUNT_COUPONS",)" + voucher + "}"),
               400, "metadata_validation_failed");
  EXPECT_EQ(get("/v1/campaigns/No%20region").status, 404);
  ASSERT_EQ(post("/v1/campaigns", R"({"name":"Regional","campaign_type":"DISCOUNT_COUPONS",)" +
                                      voucher + R"(,"metadata":{"region":"north"}})")
                .status,
            200);
  ASSERT_EQ(
      post("/v1/vouchers/META-1", R"({"type":"DISCOUNT_VOUCHER","discount":)"
                                  R"({"type":"AMOUNT","amount_off":100},"metadata":{"batch":7}})")
          .status,
      200);
  expect_error(
      client_->request("PUT", "/v1/vouchers/META-1", R"({"metadata":{"batch":"seven"}})", kAuth),
      400, "metadata_validation_failed");
  EXPECT_EQ(get("/v1/vouchers/META-1").json().at("metadata").at("batch").as_int64(), 7);
  expect_error(post("/v1/campaigns", R"({"name":"Promo","campaign_type":"PROMOTION",)"
                                     R"("metadata":{"region":"south"},"promotion":{"tiers":[)"
                                     R"({"name":"T","action":{"discount":{"type":"AMOUNT",)"
                                     R"("amount_off":100}},"metadata":{"other":"x"}}]}})"),
               400, "metadata_validation_failed");
  EXPECT_EQ(get("/v1/campaigns/Promo").status, 404) << "a refused tier leaves no campaign behind";
}

// Spec 16.2: auto-update segments record customers entering and leaving them; passive ones
// change silently. Spec 16.1: creates and updates are in the activity too.
TEST_F(ContextHttp, AutoUpdateSegmentsRecordEnteringAndLeaving) {
  auto seg = post("/v1/segments",
                  R"({"name":"Gold","type":"auto-update","filter":)"
                  R"({"junction":"and","metadata.tier":{"conditions":{"$is":["gold"]}}}})");
  ASSERT_EQ(seg.status, 200) << seg.body;
  ASSERT_EQ(post("/v1/segments", R"({"name":"Gold quietly","type":"passive","filter":)"
                                 R"({"metadata.tier":{"conditions":{"$is":["gold"]}}}})")
                .status,
            200);
  const auto seg_json = seg.json();
  const std::string id(seg_json.at("id").as_string());
  auto types = [&] {
    std::vector<std::string> out;
    auto r = get("/v1/customers/tiered/activity?limit=100");
    const auto json = r.json();
    for (const auto& a : json.at("data").as_array()) {
      out.emplace_back(a.at("type").as_string());  // newest first
    }
    return out;
  };
  ASSERT_EQ(post("/v1/customers", R"({"source_id":"tiered","metadata":{"tier":"silver"}})").status,
            200);
  EXPECT_EQ(types(), (std::vector<std::string>{"customer.created"}));
  auto up =
      client_->request("PUT", "/v1/customers/tiered", R"({"metadata":{"tier":"gold"}})", kAuth);
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(types(), (std::vector<std::string>{"customer.segment.entered", "customer.updated",
                                               "customer.created"}));
  auto entered = get("/v1/customers/tiered/activity?limit=1").json();
  EXPECT_EQ(entered.at("data").as_array().at(0).at("data").at("segment").at("id").as_string(), id);
  ASSERT_EQ(
      client_->request("PUT", "/v1/customers/tiered", R"({"name":"Still gold"})", kAuth).status,
      200);
  ASSERT_EQ(
      client_->request("PUT", "/v1/customers/tiered", R"({"metadata":{"tier":"bronze"}})", kAuth)
          .status,
      200);
  const auto all = types();
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[0], "customer.segment.left");
  EXPECT_EQ(all[1], "customer.updated");
  EXPECT_EQ(all[2], "customer.updated") << "no second entered while staying a member";
}

// Limits and merges that must hold under concurrency get a server of their own.
TEST(ContextConcurrency, TheCollectionCapHoldsUnderConcurrentCreates) {
  ServerProcess server;
  HttpClient setup(server.port());
  auto product =
      setup.request("POST", "/v1/products", R"({"source_id":"cap-p","name":"P"})", kAuth);
  ASSERT_EQ(product.status, 200) << product.body;
  const auto product_json = product.json();
  const std::string body = R"({"name":"c","type":"STATIC","products":[{"id":")" +
                           std::string(product_json.at("id").as_string()) +
                           R"(","object":"product"}]})";
  for (int i = 0; i < 96; ++i) {
    ASSERT_EQ(setup.request("POST", "/v1/product-collections", body, kAuth).status, 200);
  }
  std::atomic<int> created{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      HttpClient c(server.port());
      const int status = c.request("POST", "/v1/product-collections", body, kAuth).status;
      (status == 200 ? created : refused) += 1;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 4);
  EXPECT_EQ(refused.load(), 4);
  auto list = setup.request("GET", "/v1/product-collections?limit=1", "", kAuth);
  EXPECT_EQ(list.json().at("total").as_int64(), 100);
}

TEST(ContextConcurrency, ConcurrentSchemaUpdatesAllLand) {
  ServerProcess server;
  HttpClient setup(server.port());
  auto created = setup.request("POST", "/management/v1/projects/me/metadata-schemas",
                               R"({"related_object":"order","properties":{}})", kAuth);
  ASSERT_EQ(created.status, 200) << created.body;
  const auto created_json = created.json();
  const std::string id(created_json.at("id").as_string());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c(server.port());
      auto r =
          c.request("PUT", "/management/v1/projects/me/metadata-schemas/" + id,
                    R"({"properties":{"k)" + std::to_string(i) + R"(":{"type":"string"}}})", kAuth);
      if (r.status == 200) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  auto schema = setup.request("GET", "/v1/metadata-schemas/order", "", kAuth).json();
  EXPECT_EQ(schema.at("properties").as_object().size(), 8u) << boost::json::serialize(schema);
}

}  // namespace
}  // namespace openpromo::testing
