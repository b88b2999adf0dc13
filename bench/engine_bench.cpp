// In-process cost of the engine (issue 6 target: under 20 microseconds): evaluate() for a 20-item
// cart with one voucher and one promotion tier, each carrying a validation rule of 3 nodes, and
// the same with the request decode and response encode around it. Run:
//   build/bin/engine_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/validation_codec.h"
#include "engine/definitions.h"
#include "engine/engine.h"
#include "engine/geo.h"

namespace {

using namespace openpromo;

engine::Rule rule(const std::string& id, const std::string& text) {
  return engine::compile_rule(id, boost::json::parse(text).as_object()).value();
}

struct Fixture {
  engine::Catalog catalog;
  engine::Usage usage;
  engine::Request request;
  Json body;
  Instant now = *parse_iso8601("2026-06-15T12:00:00Z");

  Fixture() {
    // Voucher: 15% off items of two products, if the order is over 100.00, the cart holds a
    // T-shirt line of at least 2 units, and the customer is not blocked.
    auto voucher_rule = rule("val_v", R"({
      "rules": {
        "1": {"name": "order.amount", "conditions": {"$more_than": [10000]}},
        "2": {"name": "order.items.any", "conditions": {"$is": [{"id": "prod_4", "object": "product"}]},
              "rules": {"1": {"name": "order.items.quantity", "conditions": {"$more_than_or_equal": [2]}},
                        "logic": "1"}},
        "logic": "1 and 2"},
      "applicable_to": {"included": [{"object": "product", "id": "prod_4"},
                                     {"object": "product", "id": "prod_7", "effect": "APPLY_TO_CHEAPEST"}]}})");
    auto tier_rule = rule("val_t", R"({
      "rules": {
        "1": {"name": "customer.metadata", "property": "tier", "conditions": {"$in": ["gold", "silver"]}},
        "2": {"name": "order.items.count", "conditions": {"$more_than": [5]}},
        "3": {"name": "redemption.count.per_customer", "conditions": {"$less_than_or_equal": [3]}},
        "logic": "(1 or 2) and 3"}})");
    auto voucher = engine::incentive_from_json(boost::json::parse(R"({
      "object": "voucher", "id": "v_1", "code": "SAVE15", "type": "DISCOUNT_VOUCHER",
      "discount": {"type": "PERCENT", "percent_off": 15},
      "campaign": {"id": "camp_1", "name": "Summer", "active": true},
      "start_date": "2026-01-01T00:00:00Z", "expiration_date": "2027-01-01T00:00:00Z",
      "redemption": {"quantity": 1000}})")
                                                   .as_object(),
                                               {voucher_rule})
                       .value();
    auto tier = engine::incentive_from_json(boost::json::parse(R"({
      "object": "promotion_tier", "id": "promo_1", "name": "5 off",
      "action": {"discount": {"type": "AMOUNT", "amount_off": 500}},
      "campaign": {"id": "camp_2", "name": "Always", "active": true},
      "validity_day_of_week": [0, 1, 2, 3, 4, 5, 6]})")
                                                .as_object(),
                                            {tier_rule})
                    .value();
    usage.by_incentive["v_1"].redeemed_quantity = 10;
    usage
        .counters[engine::counter_row_key(engine::CounterScope::kIncentive, "promo_1",
                                          engine::CounterSubject::kCustomer, "cust_1")]
        .count = 1;

    std::string items;
    for (int i = 0; i < 20; ++i) {
      if (!items.empty()) items += ",";
      items += R"({"product_id": "prod_)" + std::to_string(i) + R"(", "quantity": )" +
               std::to_string(1 + i % 3) + R"(, "price": )" + std::to_string(1000 + 137 * i) +
               R"(, "metadata": {"color": "blue"}})";
    }
    body = boost::json::parse(R"({"redeemables": [{"object": "voucher", "id": "SAVE15"},
                                                  {"object": "promotion_tier", "id": "promo_1"}],
                                 "customer": {"source_id": "c-1", "metadata": {"tier": "gold"}},
                                 "order": {"items": [)" +
                              items + "]}}");
    api::ValidationOptions options;
    request = api::decode_validation_request(body, options).value();
    request.redeemables[0].incentive =
        std::make_shared<const engine::Incentive>(std::move(voucher));
    request.redeemables[1].incentive = std::make_shared<const engine::Incentive>(std::move(tier));
    request.customer.stored_id = "cust_1";
    const auto check = engine::evaluate(catalog, usage, request, now);
    if (!check.valid) {
      api::ValidationOptions explain;
      explain.expand = {"explain"};
      throw std::runtime_error("the benchmark request must be valid: " +
                               boost::json::serialize(api::encode_validation(
                                   check, request, explain, {"valid_1", "track_1", "v-1"})));
    }
  }
};

void BM_Evaluate(benchmark::State& state) {
  Fixture f;
  for (auto _ : state) {
    auto decision = engine::evaluate(f.catalog, f.usage, f.request, f.now);
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_Evaluate);

// Decode the JSON body, evaluate, encode the response JSON to text: the engine's share of a
// POST /v1/validations without the HTTP server and the store reads.
void BM_DecodeEvaluateEncode(benchmark::State& state) {
  Fixture f;
  const auto voucher = f.request.redeemables[0].incentive;
  const auto tier = f.request.redeemables[1].incentive;
  const std::string text = boost::json::serialize(f.body);
  for (auto _ : state) {
    api::ValidationOptions options;
    auto request = api::decode_validation_request(boost::json::parse(text), options).value();
    request.redeemables[0].incentive = voucher;
    request.redeemables[1].incentive = tier;
    auto decision = engine::evaluate(f.catalog, f.usage, request, f.now);
    auto out = api::validation_text(decision, request, options, {"valid_1", "track_1", "v-1"});
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_DecodeEvaluateEncode);

// Best deal (issue 13) over the 30-redeemable maximum: 30 vouchers (amounts and percentages,
// order- and item-level, in 5 categories, one of them Never stackable, a third with an
// order-amount rule), PARTIAL mode, limit 5: the search decides up to kBestDealBudget candidate
// orders; BM_RequestedOrder30 is the same request decided once, as sent.
struct Fixture30 {
  engine::Catalog catalog;
  engine::Usage usage;
  engine::Request request;
  Instant now = *parse_iso8601("2026-06-15T12:00:00Z");

  Fixture30() {
    catalog.stacking.mode = engine::StackingRules::Mode::kPartial;
    catalog.stacking.exclusive_categories = {"cat_0"};
    catalog.stacking.applicable_redeemables_per_category_limit = 2;
    std::string items;
    for (int i = 0; i < 10; ++i) {
      if (!items.empty()) items += ",";
      items += R"({"product_id": "prod_)" + std::to_string(i) + R"(", "quantity": 2, "price": )" +
               std::to_string(1500 + 250 * i) + "}";
    }
    api::ValidationOptions options;
    request = api::decode_validation_request(
                  boost::json::parse(R"({"redeemables": [{"object": "voucher", "id": "C0"}],
                                         "order": {"items": [)" +
                                     items + "]}}"),
                  options)
                  .value();
    request.redeemables.clear();
    for (int i = 0; i < 30; ++i) {
      const std::string n = std::to_string(i);
      const bool percent = i % 2 == 0;
      const bool on_items = i % 5 == 1;
      std::string discount =
          percent ? R"({"type": "PERCENT", "percent_off": )" + std::to_string(5 + i % 7 * 5)
                  : R"({"type": "AMOUNT", "amount_off": )" + std::to_string(300 + 150 * (i % 9));
      discount += on_items ? R"(, "effect": "APPLY_TO_ITEMS"})" : "}";
      std::vector<engine::Rule> rules;
      if (i % 3 == 0) {
        rules.push_back(
            rule("val_" + n,
                 R"({"rules": {"1": {"name": "order.amount", "conditions": {"$more_than": [)" +
                     std::to_string(20000 + 1000 * (i % 10)) + R"(]}}, "logic": "1"}})"));
      }
      if (on_items) {
        rules.push_back(
            rule("val_items_" + n,
                 R"({"applicable_to": {"included": [{"object": "product", "id": "prod_)" +
                     std::to_string(i % 10) + R"("}, {"object": "product", "id": "prod_)" +
                     std::to_string((i + 3) % 10) + R"("}]}})"));
      }
      const std::string cat = "cat_" + std::to_string(i % 5);
      auto inc =
          engine::incentive_from_json(
              boost::json::parse(R"({"object": "voucher", "id": "v_)" + n + R"(", "code": "C)" + n +
                                 R"(", "type": "DISCOUNT_VOUCHER", "discount": )" + discount +
                                 R"(, "category": {"id": ")" + cat + R"(", "name": ")" + cat +
                                 R"(", "hierarchy": )" + std::to_string(1 + i % 5) + "}}")
                  .as_object(),
              std::move(rules))
              .value();
      engine::RedeemableRef ref;
      ref.object = "voucher";
      ref.id = "C" + n;
      ref.incentive = std::make_shared<const engine::Incentive>(std::move(inc));
      request.redeemables.push_back(std::move(ref));
    }
  }
};

void BM_RequestedOrder30(benchmark::State& state) {
  Fixture30 f;
  for (auto _ : state) {
    auto decision = engine::evaluate(f.catalog, f.usage, f.request, f.now);
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_RequestedOrder30)->Unit(benchmark::kMicrosecond);

void BM_BestDeal30(benchmark::State& state) {
  Fixture30 f;
  f.request.best_deal = true;
  const auto requested = [&] {
    engine::Request r = f.request;
    r.best_deal = false;
    return engine::evaluate(f.catalog, f.usage, r, f.now);
  }();
  engine::Decision last;
  for (auto _ : state) {
    last = engine::evaluate(f.catalog, f.usage, f.request, f.now);
    benchmark::DoNotOptimize(last);
  }
  state.counters["candidates"] = last.best_deal_tried;
  state.counters["discount"] = static_cast<double>(last.order.total_applied_discount_amount());
  state.counters["requested_discount"] =
      static_cast<double>(requested.order.total_applied_discount_amount());
}
BENCHMARK(BM_BestDeal30)->Unit(benchmark::kMillisecond);

// The first 6 of them: every order is decided (6! = 720 candidates).
void BM_BestDeal6(benchmark::State& state) {
  Fixture30 f;
  f.request.redeemables.resize(6);
  f.request.best_deal = true;
  engine::Decision last;
  for (auto _ : state) {
    last = engine::evaluate(f.catalog, f.usage, f.request, f.now);
    benchmark::DoNotOptimize(last);
  }
  state.counters["candidates"] = last.best_deal_tried;
}
BENCHMARK(BM_BestDeal6)->Unit(benchmark::kMillisecond);

}  // namespace

// One point against 1,000 locations (600 circles, 400 polygons of 8-40 vertices, over Europe):
// the R-tree of the catalog snapshot, then, for comparison, testing every shape.
struct Locations1000 {
  std::shared_ptr<const openpromo::engine::LocationIndex> index;
  std::vector<openpromo::engine::LocationIndex::Entry> entries;
  std::vector<bool> all;
  Locations1000() {
    using namespace openpromo::engine;
    for (int i = 0; i < 1000; ++i) {
      const double lat = 36 + (i % 40) * 0.5, lng = -9 + (i / 40) * 1.2;
      std::string json;
      if (i % 5 < 3) {
        json = R"({"type":"circle","distance":{"center":"geo:)" + std::to_string(lat) + "," +
               std::to_string(lng) + R"(","radius":")" + std::to_string(0.5 + (i % 10) * 0.5) +
               R"( km"}})";
      } else {
        const int n = 8 + (i % 33);
        std::string ring;
        for (int k = 0; k <= n; ++k) {
          const double a = 2 * M_PI * (k % n) / n;
          ring += (k ? ",[" : "[") + std::to_string(lng + 0.05 * std::cos(a)) + "," +
                  std::to_string(lat + 0.05 * std::sin(a)) + "]";
        }
        json = R"({"type":"polygon","geojson":{"type":"Polygon","coordinates":[[)" + ring + "]]}}";
      }
      entries.push_back(
          {"loc_" + std::to_string(i), parse_shape(boost::json::parse(json)).value(), {}});
    }
    index = LocationIndex::build(entries);
    all.assign(entries.size(), true);
  }
};

const Locations1000& locations1000() {
  static const Locations1000 l;
  return l;
}

void BM_PointIn1000LocationsIndexed(benchmark::State& state) {
  const auto& l = locations1000();
  const openpromo::engine::GeoPoint p{47.5, 5.4};  // the centre of location 503's polygon
  if (!l.index->any_contains(p, l.all)) std::abort();
  for (auto _ : state) benchmark::DoNotOptimize(l.index->any_contains(p, l.all));
}
BENCHMARK(BM_PointIn1000LocationsIndexed);

void BM_PointIn1000LocationsEveryShape(benchmark::State& state) {
  const auto& l = locations1000();
  const openpromo::engine::GeoPoint p{30.0, 20.0};  // in none: every shape is tested
  for (auto _ : state) {
    bool any = false;
    for (const auto& e : l.entries) any = any || e.shape->contains(p);
    benchmark::DoNotOptimize(any);
  }
}
BENCHMARK(BM_PointIn1000LocationsEveryShape)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
