// In-process cost of the request path without sockets: App::handle (routing, key lookup and
// token hashing, SQLite read, JSON encode) and the list-query parser. Run:
//   build/bin/app_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "api/app.h"
#include "api/query_string.h"

namespace {

using namespace openpromo;

struct Fixture {
  Fixture() {
    dir =
        std::filesystem::temp_directory_path() / ("openpromo-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    store = std::move(Store::open("sqlite:" + (dir / "bench.db").string(), StoreOptions{}).value());
    (void)store->migrate();
    project = KeyService(*store).ensure_default_project().value();
    key = KeyService(*store).create(project, KeyKind::kServer, Role::kAdmin, {}).value();
    app = std::make_unique<api::App>(
        *store, api::AppOptions{.access_log = false, .log_stream = stderr, .catalog = {}});
    for (int i = 0; i < 50; ++i) {
      auto r = app->handle(request("POST", "/v1/categories",
                                   R"({"name":"c)" + std::to_string(i) + R"(","hierarchy":1})"));
      category_id = std::string(boost::json::parse(r.body).at("id").as_string());
    }
  }
  ~Fixture() {
    app.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  api::HttpRequest request(std::string method, std::string target, std::string body = "") const {
    api::HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.headers = {{"x-app-id", key.key.app_id},
                 {"x-app-token", key.token},
                 {"content-type", "application/json"}};
    return r;
  }

  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  Project project;
  NewKey key;
  std::unique_ptr<api::App> app;
  std::string category_id;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_GetCategory(benchmark::State& state) {
  auto& f = fixture();
  const auto req = f.request("GET", "/v1/categories/" + f.category_id);
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_GetCategory);

void BM_ListCategories20(benchmark::State& state) {
  auto& f = fixture();
  const auto req = f.request("GET", "/v1/categories?limit=20&order=-created_at");
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_ListCategories20);

void BM_UnauthorizedRequest(benchmark::State& state) {
  auto& f = fixture();
  api::HttpRequest req;
  req.method = "GET";
  req.target = "/v1/categories";
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_UnauthorizedRequest);

// The validations' shared parts: a 3-node rule (amount, line count, customer metadata) and a
// 20-line cart.
std::string three_node_rule(Fixture& f, const std::string& name) {
  auto rule = f.app->handle(f.request("POST", "/v1/validation-rules",
                                      R"json({"name":")json" + name +
                                          R"json(",
      "rules":{"1":{"name":"order.amount","conditions":{"$more_than":[1000]}},
               "2":{"name":"order.items.count","conditions":{"$more_than":[5]}},
               "3":{"name":"customer.metadata","property":"tier","conditions":{"$in":["gold"]}},
               "logic":"1 and (2 or 3)"}})json"));
  return std::string(boost::json::parse(rule.body).at("id").as_string());
}

std::string twenty_items() {
  std::string items;
  for (int i = 0; i < 20; ++i) {
    if (!items.empty()) items += ",";
    items += R"({"product_id":"prod_)" + std::to_string(i) + R"(","quantity":2,"price":1000})";
  }
  return items;
}

// POST /v1/validations in-process: a voucher in a campaign with a 3-node rule and a promotion
// tier, a 20-item cart. Covers auth, four store reads per redeemable (voucher, campaign,
// category, rules), rule compilation, the engine and the JSON response.
void BM_ValidateVoucherAndTier(benchmark::State& state) {
  auto& f = fixture();
  static std::string body;
  if (body.empty()) {
    const std::string rule_id = three_node_rule(f, "bench");
    auto campaign = f.app->handle(f.request(
        "POST", "/v1/campaigns",
        R"({"name":"bench-coupons","campaign_type":"DISCOUNT_COUPONS","category_id":")" +
            f.category_id + R"(","validation_rules":[")" + rule_id +
            R"("],"voucher":{"type":"DISCOUNT_VOUCHER","discount":{"type":"PERCENT","percent_off":10}}})"));
    const std::string campaign_id(boost::json::parse(campaign.body).at("id").as_string());
    f.app->handle(f.request("POST", "/v1/campaigns/" + campaign_id + "/vouchers/BENCH-10", "{}"));
    auto promo = f.app->handle(f.request(
        "POST", "/v1/campaigns",
        R"({"name":"bench-promo","campaign_type":"PROMOTION","promotion":{"tiers":[{"name":"t1",
            "action":{"discount":{"type":"AMOUNT","amount_off":500}}}]}})"));
    const boost::json::value promo_json = boost::json::parse(promo.body);
    const auto& tiers = promo_json.at("promotion").at("tiers").as_array();
    const std::string tier_id(tiers.at(0).at("id").as_string());
    const std::string items = twenty_items();
    body =
        R"({"redeemables":[{"object":"voucher","id":"BENCH-10"},{"object":"promotion_tier","id":")" +
        tier_id +
        R"("}],"customer":{"source_id":"c1","metadata":{"tier":"gold"}},"order":{"items":[)" +
        items + "]}}";
    auto check = f.app->handle(f.request("POST", "/v1/validations", body));
    if (boost::json::parse(check.body).at("valid") != true) {
      std::fprintf(stderr, "validation bench setup failed: %s\n", check.body.c_str());
      std::abort();
    }
  }
  const auto req = f.request("POST", "/v1/validations", body);
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_ValidateVoucherAndTier);

// The same validation (a voucher with a 3-node rule and a tier, 20 items) of campaigns assigned
// to a store, by an admin key (arg 0) and by that store's restricted key (arg 1): what area
// scoping costs (the key's assignments read with the key, the voucher's visibility predicate,
// the tier's campaign checked on the snapshot). Issue 16's target: at most 10% over admin.
void BM_ValidateInStore(benchmark::State& state) {
  auto& f = fixture();
  static std::string body;
  static NewKey pos;
  if (body.empty()) {
    auto area = f.app->handle(f.request("POST", "/v1/areas", R"({"name":"bench area"})"));
    const std::string area_id(boost::json::parse(area.body).at("id").as_string());
    auto shop = f.app->handle(
        f.request("POST", "/v1/areas/" + area_id + "/stores", R"({"name":"bench store"})"));
    const std::string store_id(boost::json::parse(shop.body).at("id").as_string());
    AssignmentIds ids;
    ids.area_stores_ids = {store_id};
    pos = KeyService(*f.store)
              .create(f.project, KeyKind::kServer, Role::kRestricted, {}, ids)
              .value();
    const std::string access =
        R"("access_settings":{"assign":{"area_stores_ids":[")" + store_id + R"("]}})";
    const std::string rule_id = three_node_rule(f, "bench s");
    auto campaign = f.app->handle(f.request(
        "POST", "/v1/campaigns",
        R"({"name":"bench-store-coupons","campaign_type":"DISCOUNT_COUPONS","validation_rules":[")" +
            rule_id + R"("],)" + access +
            R"(,"voucher":{"type":"DISCOUNT_VOUCHER","discount":{"type":"PERCENT","percent_off":10}}})"));
    const std::string campaign_id(boost::json::parse(campaign.body).at("id").as_string());
    f.app->handle(
        f.request("POST", "/v1/campaigns/" + campaign_id + "/vouchers/BENCH-STORE", "{}"));
    auto promo = f.app->handle(
        f.request("POST", "/v1/campaigns",
                  R"({"name":"bench-store-promo","campaign_type":"PROMOTION",)" + access +
                      R"(,"promotion":{"tiers":[{"name":"t1",
            "action":{"discount":{"type":"AMOUNT","amount_off":500}}}]}})"));
    const boost::json::value promo_json = boost::json::parse(promo.body);
    const std::string tier_id(
        promo_json.at("promotion").at("tiers").as_array().at(0).at("id").as_string());
    const std::string items = twenty_items();
    body = R"({"redeemables":[{"object":"voucher","id":"BENCH-STORE"},)"
           R"({"object":"promotion_tier","id":")" +
           tier_id +
           R"("}],"customer":{"source_id":"c1","metadata":{"tier":"gold"}},)"
           R"("order":{"items":[)" +
           items + "]}}";
  }
  api::HttpRequest req = f.request("POST", "/v1/validations", body);
  if (state.range(0) == 1) {
    req.headers = {{"x-app-id", pos.key.app_id},
                   {"x-app-token", pos.token},
                   {"content-type", "application/json"}};
  }
  auto check = f.app->handle(req);
  if (boost::json::parse(check.body).at("valid") != true) {
    std::fprintf(stderr, "store validation bench setup failed: %s\n", check.body.c_str());
    std::abort();
  }
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_ValidateInStore)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// POST /v1/validations for a stored customer (two PAID orders, in an auto-update and a static
// segment) and a voucher whose rule needs the customer's segment and a cart line from an
// AUTO_UPDATE collection; 200 catalog products, 20 cart lines by source_id. On top of
// BM_ValidateVoucherAndTier's path: the customer row, its order counters and static segments,
// the segment filters, and the cart lines resolved against the catalog (batched) and tested
// against two collections.
void BM_ValidateWithSegmentsAndCollections(benchmark::State& state) {
  auto& f = fixture();
  static std::string body;
  if (body.empty()) {
    for (int i = 0; i < 200; ++i) {
      f.app->handle(f.request("POST", "/v1/products",
                              R"({"source_id":"bp-)" + std::to_string(i) +
                                  R"(","name":"P","price":1000,"metadata":{"brand":")" +
                                  (i % 2 ? "acme" : "other") + R"("}})"));
    }
    auto first = f.app->handle(f.request("GET", "/v1/products/bp-0"));
    const std::string product0(boost::json::parse(first.body).at("id").as_string());
    f.app->handle(f.request("POST", "/v1/product-collections",
                            R"({"name":"static","type":"STATIC","products":[{"id":")" + product0 +
                                R"(","object":"product"}]})"));
    auto acme = f.app->handle(f.request(
        "POST", "/v1/product-collections",
        R"({"name":"acme","type":"AUTO_UPDATE","filter":{"metadata.brand":{"conditions":{"$is":["acme"]}}}})"));
    const std::string acme_id(boost::json::parse(acme.body).at("id").as_string());
    f.app->handle(
        f.request("POST", "/v1/customers", R"({"source_id":"seg-c1","metadata":{"tier":"gold"}})"));
    for (int i = 0; i < 2; ++i) {
      f.app->handle(
          f.request("POST", "/v1/orders",
                    R"({"source_id":"bench-o)" + std::to_string(i) +
                        R"(","status":"PAID","amount":5000,"customer":{"source_id":"seg-c1"}})"));
    }
    auto gold = f.app->handle(f.request(
        "POST", "/v1/segments",
        R"({"name":"gold","type":"auto-update","filter":{"metadata.tier":{"conditions":{"$is":["gold"]}}}})"));
    const std::string gold_id(boost::json::parse(gold.body).at("id").as_string());
    f.app->handle(f.request("POST", "/v1/segments",
                            R"({"name":"listed","type":"static","customers":["seg-c1"]})"));
    auto rule = f.app->handle(f.request(
        "POST", "/v1/validation-rules",
        R"({"name":"segment and collection","rules":{"1":{"name":"customer.segment","conditions":{"$is":[")" +
            gold_id + R"("]}},"2":{"name":"order.items.any","conditions":{"$in":[{"id":")" +
            acme_id + R"(","object":"products_collection"}]},"rules":{}},"logic":"1 and 2"}})"));
    const std::string rule_id(boost::json::parse(rule.body).at("id").as_string());
    f.app->handle(f.request("POST", "/v1/vouchers/BENCH-SEG",
                            R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"PERCENT",)"
                            R"("percent_off":10},"validation_rules":[")" +
                                rule_id + R"("]})"));
    std::string items;
    for (int i = 0; i < 20; ++i) {
      if (!items.empty()) items += ",";
      items += R"({"source_id":"bp-)" + std::to_string(i) +
               R"(","related_object":"product","quantity":1,"price":1000})";
    }
    body = R"({"redeemables":[{"object":"voucher","id":"BENCH-SEG"}],)"
           R"("customer":{"source_id":"seg-c1"},"order":{"items":[)" +
           items + "]}}";
    auto check = f.app->handle(f.request("POST", "/v1/validations", body));
    if (boost::json::parse(check.body).at("valid") != true) {
      std::fprintf(stderr, "segment bench setup failed: %s\n", check.body.c_str());
      std::abort();
    }
  }
  const auto req = f.request("POST", "/v1/validations", body);
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_ValidateWithSegmentsAndCollections);

// Geofencing (issue 17): 1,000 locations (600 circles of 0.5-5 km and 400 polygons of 8 to 40
// vertices, over Europe), a passive segment and an AUTO_UPDATE collection whose filters each
// name all 1,000 (five nested groups of 200, the per-condition cap), and one voucher whose rule
// needs both. The request: a customer not stored, with coordinates inside one circle, and a
// 20-line cart whose every line sends coordinates (one line inside a polygon). What it adds to a
// validation: parsing 21 geopoints and, per point, one R-tree query and the exact test of the few
// shapes whose box holds it.
void BM_ValidateWithLocations1000(benchmark::State& state) {
  auto& f = fixture();
  static std::string body;
  if (body.empty()) {
    std::vector<std::string> ids;
    std::string inside_circle, inside_polygon;
    for (int i = 0; i < 1000; ++i) {
      const double lat = 36 + (i % 40) * 0.5, lng = -9 + (i / 40) * 1.2;
      char center[64];
      std::snprintf(center, sizeof center, "geo:%.5f,%.5f", lat, lng);
      std::string shape;
      if (i % 5 < 3) {
        shape = R"({"type":"circle","format":"distance","distance":{"center":")" +
                std::string(center) + R"(","radius":")" + std::to_string(0.5 + (i % 10) * 0.5) +
                R"( km"}})";
        if (i == 500) inside_circle = center;
      } else {
        const int n = 8 + (i % 33);  // vertices of a small regular polygon, 0.05 degree radius
        std::string ring;
        for (int k = 0; k <= n; ++k) {
          const double a = 2 * M_PI * (k % n) / n;
          char pos[64];
          std::snprintf(pos, sizeof pos, "%s[%.6f,%.6f]", k ? "," : "", lng + 0.05 * std::cos(a),
                        lat + 0.05 * std::sin(a));
          ring += pos;
        }
        shape =
            R"({"type":"polygon","format":"geojson","geojson":{"type":"Polygon","coordinates":[[)" +
            ring + "]]}}";
        if (i == 503) inside_polygon = center;
      }
      auto r = f.app->handle(
          f.request("POST", "/v1/locations",
                    R"({"name":"l)" + std::to_string(i) + R"(","shape":)" + shape + "}"));
      ids.push_back(std::string(boost::json::parse(r.body).at("id").as_string()));
    }
    const auto filter_on = [&](const std::string& key) {
      std::string groups;
      for (int g = 0; g < 5; ++g) {
        std::string list;
        for (int i = g * 200; i < (g + 1) * 200; ++i)
          list += (list.empty() ? "\"" : ",\"") + ids[i] + "\"";
        groups += R"(,"g)" + std::to_string(g) + R"(":{"junction":"or","metadata.)" + key +
                  R"(":{"conditions":{"$in_location":[)" + list + "]}}}";
      }
      return R"({"junction":"or")" + groups + "}";
    };
    auto seg = f.app->handle(f.request("POST", "/v1/segments",
                                       R"({"name":"near a store","type":"passive","filter":)" +
                                           filter_on("customer_location") + "}"));
    auto pc = f.app->handle(f.request("POST", "/v1/product-collections",
                                      R"({"name":"local stock","type":"AUTO_UPDATE","filter":)" +
                                          filter_on("product_location") + "}"));
    const std::string seg_id(boost::json::parse(seg.body).at("id").as_string());
    const std::string pc_id(boost::json::parse(pc.body).at("id").as_string());
    auto rule = f.app->handle(f.request(
        "POST", "/v1/validation-rules",
        R"({"name":"near and local","rules":{"1":{"name":"customer.segment","conditions":{"$is":[")" +
            seg_id + R"("]}},"2":{"name":"order.items.any","conditions":{"$in":[{"id":")" + pc_id +
            R"(","object":"products_collection"}]},"rules":{}},"logic":"1 and 2"}})"));
    const std::string rule_id(boost::json::parse(rule.body).at("id").as_string());
    f.app->handle(f.request("POST", "/v1/vouchers/BENCH-GEO",
                            R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"PERCENT",)"
                            R"("percent_off":10},"validation_rules":[")" +
                                rule_id + R"("]})"));
    std::string items;
    for (int i = 0; i < 20; ++i) {
      char far[64];
      std::snprintf(far, sizeof far, "geo:%.4f,%.4f", 30.0 + i * 0.01, 20.0);  // no shape
      if (!items.empty()) items += ",";
      items +=
          R"({"source_id":"geo-p)" + std::to_string(i) +
          R"(","related_object":"product","quantity":1,"price":1000,"metadata":{"product_location":")" +
          (i == 7 ? inside_polygon : std::string(far)) + R"("}})";
    }
    body = R"({"redeemables":[{"object":"voucher","id":"BENCH-GEO"}],)"
           R"("customer":{"source_id":"geo-c1","metadata":{"customer_location":")" +
           inside_circle + R"("}},"order":{"items":[)" + items + "]}}";
    auto check = f.app->handle(f.request("POST", "/v1/validations", body));
    if (boost::json::parse(check.body).at("valid") != true) {
      std::fprintf(stderr, "location bench setup failed: %s\n", check.body.c_str());
      std::abort();
    }
  }
  const auto req = f.request("POST", "/v1/validations", body);
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_ValidateWithLocations1000)->Unit(benchmark::kMicrosecond);

// POST /v1/orders repeating one source_id (the update path of the upsert): 5 lines by catalog
// source id, the customer named by source id, activity and segment bookkeeping included.
void BM_UpsertOrder(benchmark::State& state) {
  auto& f = fixture();
  std::string items;
  for (int i = 0; i < 5; ++i) {
    if (!items.empty()) items += ",";
    items += R"({"source_id":"bp-)" + std::to_string(i) + R"(","quantity":2})";
  }
  const auto req = f.request("POST", "/v1/orders",
                             R"({"source_id":"bench-upsert","status":"PAID",)"
                             R"("customer":{"source_id":"seg-c1"},"items":[)" +
                                 items + "]}");
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_UpsertOrder);

// POST /v1/redemptions in-process on SQLite: one unlimited code with a per-customer rule, a
// customer by source id, a 5-line cart. Covers the whole unit of work: the catalog version,
// the customer upsert, the voucher locked, the counter rows locked and written back, the
// guarded voucher update, the order saved PAID, parent and child records, outbox events and
// customer activity, and the response. (Each iteration is a real redemption: the tables grow.)
void BM_RedeemVoucher(benchmark::State& state) {
  auto& f = fixture();
  static std::string body;
  if (body.empty()) {
    auto rule =
        f.app->handle(f.request("POST", "/v1/validation-rules", R"json({"name":"bench-redeem",
      "rules":{"1":{"name":"redemption.count.per_customer","conditions":{"$less_than":[100000000]}},
               "2":{"name":"order.amount","conditions":{"$more_than":[100]}},
               "logic":"1 and 2"}})json"));
    const std::string rule_id(boost::json::parse(rule.body).at("id").as_string());
    f.app->handle(f.request("POST", "/v1/vouchers/BENCH-REDEEM",
                            R"({"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT",)"
                            R"("amount_off":100},"validation_rules":[")" +
                                rule_id + R"("]})"));
    std::string items;
    for (int i = 0; i < 5; ++i) {
      if (!items.empty()) items += ",";
      items += R"({"source_id":"line-)" + std::to_string(i) +
               R"(","related_object":"product","quantity":1,"price":1000})";
    }
    body = R"({"redeemables":[{"object":"voucher","id":"BENCH-REDEEM"}],)"
           R"("customer":{"source_id":"bench-redeemer"},"order":{"items":[)" +
           items + "]}}";
    auto check = f.app->handle(f.request("POST", "/v1/redemptions", body));
    if (check.status != 200) {
      std::fprintf(stderr, "redemption bench setup failed: %s\n", check.body.c_str());
      std::abort();
    }
  }
  const auto req = f.request("POST", "/v1/redemptions", body);
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_RedeemVoucher);

// POST /v1/qualifications over 1,000 active campaigns in a project of their own: 700
// promotions with one tier each (a third with an order-amount rule, a tenth with a
// per-customer count that qualification leaves out) and 300 coupon campaigns judged on their
// code template; a stored customer; a 5-line cart; BEST_DEAL sorting, the first 5.
void BM_Qualification1000Campaigns(benchmark::State& state) {
  auto& f = fixture();
  static std::string body;
  static api::HttpRequest req;
  if (body.empty()) {
    const Project p = KeyService(*f.store).create_project("qualification bench").value();
    const NewKey k = KeyService(*f.store).create(p, KeyKind::kServer, Role::kAdmin, {}).value();
    auto call = [&](std::string method, std::string target, std::string b) {
      api::HttpRequest r;
      r.method = std::move(method);
      r.target = std::move(target);
      r.body = std::move(b);
      r.headers = {{"x-app-id", k.key.app_id},
                   {"x-app-token", k.token},
                   {"content-type", "application/json"}};
      return r;
    };
    auto rule = f.app->handle(call("POST", "/v1/validation-rules", R"json({"name":"big cart",
      "rules":{"1":{"name":"order.amount","conditions":{"$more_than":[2000]}}}})json"));
    const std::string big_cart(boost::json::parse(rule.body).at("id").as_string());
    auto once = f.app->handle(call("POST", "/v1/validation-rules", R"json({"name":"once",
      "rules":{"1":{"name":"redemption.count.per_customer","conditions":{"$less_than_or_equal":[1]}}}})json"));
    const std::string once_id(boost::json::parse(once.body).at("id").as_string());
    for (int i = 0; i < 700; ++i) {
      const std::string rules = i % 3 == 0    ? R"(,"validation_rules":[")" + big_cart + R"("])"
                                : i % 10 == 1 ? R"(,"validation_rules":[")" + once_id + R"("])"
                                              : "";
      auto r = f.app->handle(
          call("POST", "/v1/campaigns",
               R"({"name":"promo-)" + std::to_string(i) +
                   R"(","campaign_type":"PROMOTION","promotion":{"tiers":[{"name":"t","action":)"
                   R"({"discount":{"type":"AMOUNT","amount_off":)" +
                   std::to_string(10 + i) + "}}" + rules + "}]}}"));
      if (r.status != 200) {
        std::fprintf(stderr, "qualification bench setup failed: %s\n", r.body.c_str());
        std::abort();
      }
    }
    for (int i = 0; i < 300; ++i) {
      f.app->handle(call("POST", "/v1/campaigns",
                         R"({"name":"coupons-)" + std::to_string(i) +
                             R"(","campaign_type":"DISCOUNT_COUPONS","voucher":{"discount":)"
                             R"({"type":"PERCENT","percent_off":)" +
                             std::to_string(1 + i % 50) + "}}}"));
    }
    f.app->handle(call("POST", "/v1/customers", R"({"source_id":"q-bench","metadata":{"a":1}})"));
    std::string items;
    for (int i = 0; i < 5; ++i) {
      if (!items.empty()) items += ",";
      items += R"({"source_id":"q-line-)" + std::to_string(i) +
               R"(","related_object":"product","quantity":1,"price":1000})";
    }
    body = R"({"customer":{"source_id":"q-bench"},"order":{"items":[)" + items +
           R"(]},"options":{"limit":5,"sorting_rule":"BEST_DEAL"}})";
    req = call("POST", "/v1/qualifications", body);
    auto check = f.app->handle(req);
    const auto total = boost::json::parse(check.body).at("redeemables").at("total").as_int64();
    if (check.status != 200 || total < 900) {
      std::fprintf(stderr, "qualification bench check failed: %s\n",
                   check.body.substr(0, 400).c_str());
      std::abort();
    }
  }
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_Qualification1000Campaigns)->Unit(benchmark::kMicrosecond);

void BM_ParseListQuery(benchmark::State& state) {
  const std::string q =
      "limit=50&page=2&order=-created_at&filters[junction]=or&filters[name][conditions][$in][0]=A"
      "&filters[name][conditions][$in][1]=B&filters[hierarchy][conditions][$more_than]=3";
  for (auto _ : state) {
    auto parsed = api::parse_list_query(api::QueryParams::parse(q), 10);
    benchmark::DoNotOptimize(parsed.ok());
  }
}
BENCHMARK(BM_ParseListQuery);

}  // namespace

BENCHMARK_MAIN();
