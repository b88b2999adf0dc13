// Best deal (issue 13, docs/ENGINE.md), as properties over random carts, redeemable sets and
// stacking settings, each from a fixed seed so a failure replays:
//  - its total discount is never below what the requested order gives;
//  - what it applies satisfies every stacking constraint (global, per-category and exclusive
//    limits, no Common one beside an exclusive one, ALL mode only reorders);
//  - applying what it chose, in the order it chose, as a plain request gives the same result;
//  - with at most 5 redeemables (searched exhaustively) nothing beats it: every subset in every
//    order, decided as a plain request, gives at most its discount.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "api/validation_codec.h"
#include "engine/definitions.h"
#include "engine/engine.h"

namespace openpromo::engine {
namespace {

namespace json = boost::json;

const Instant kNow = *parse_iso8601("2026-06-15T12:00:00Z");
constexpr int kCategories = 4;  // cat_0 is Never stackable, cat_1 Always stackable

struct Case {
  Catalog catalog;
  Usage usage;
  Request request;
  std::string about;  // what was generated, for failure messages
};

Money discount_of(const Decision& d) {
  return d.valid ? d.order.total_applied_discount_amount() : 0;
}

bool is_exclusive(const Incentive& inc) {
  return inc.category && inc.category->id == "cat_0";
}
bool is_joint(const Incentive& inc) {
  return inc.category && inc.category->id == "cat_1";
}

Case random_case(uint32_t seed, size_t min_redeemables, size_t max_redeemables) {
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Case c;
  StackingRules& s = c.catalog.stacking;
  s.exclusive_categories = {"cat_0"};
  s.joint_categories = {"cat_1"};
  s.mode = pick(0, 1) ? StackingRules::Mode::kPartial : StackingRules::Mode::kAll;
  s.sorting = pick(0, 1) ? StackingRules::Sorting::kCategoryHierarchy
                         : StackingRules::Sorting::kRequestedOrder;
  s.joint_always_last = pick(0, 3) == 0;
  s.products_mode =
      pick(0, 1) ? StackingRules::ProductsMode::kOnce : StackingRules::ProductsMode::kStack;
  s.no_effect =
      pick(0, 1) ? StackingRules::NoEffect::kSkip : StackingRules::NoEffect::kRedeemAnyway;
  s.calculation = pick(0, 1) ? StackingRules::Calculation::kInitialAmount
                             : StackingRules::Calculation::kDiscountedAmount;
  s.applicable_redeemables_limit = pick(1, 5);
  s.applicable_redeemables_per_category_limit =
      pick(0, 3) == 0 ? std::nullopt : std::optional<int>(pick(1, s.applicable_redeemables_limit));
  if (pick(0, 2) == 0) s.applicable_redeemables_category_limits["cat_2"] = pick(1, 3);
  s.applicable_exclusive_redeemables_limit = pick(1, 2);
  s.applicable_exclusive_redeemables_per_category_limit =
      pick(0, 2) == 0 ? std::nullopt : std::optional<int>(1);
  int hierarchy[kCategories];
  for (int& h : hierarchy) h = pick(1, 4);

  // The cart: 1 to 4 lines of products p0..p3.
  json::array items;
  const int lines = pick(1, 4);
  for (int i = 0; i < lines; ++i) {
    items.push_back(json::object{{"product_id", "p" + std::to_string(i)},
                                 {"quantity", pick(1, 3)},
                                 {"price", pick(5, 80) * 100}});
  }
  api::ValidationOptions options;
  json::value body =
      json::object{{"redeemables", json::array{json::object{{"object", "voucher"}, {"id", "C0"}}}},
                   {"order", json::object{{"items", std::move(items)}}}};
  c.request = api::decode_validation_request(body, options).value();
  c.request.redeemables.clear();  // decoded with a placeholder; the generated ones follow

  const size_t n = static_cast<size_t>(
      pick(static_cast<int>(min_redeemables), static_cast<int>(max_redeemables)));
  for (size_t i = 0; i < n; ++i) {
    json::object def{{"object", "voucher"},
                     {"id", "v_" + std::to_string(i)},
                     {"code", "C" + std::to_string(i)},
                     {"type", "DISCOUNT_VOUCHER"}};
    const bool on_items = pick(0, 2) == 0;
    json::object discount = pick(0, 1)
                                ? json::object{{"type", "AMOUNT"}, {"amount_off", pick(1, 40) * 50}}
                                : json::object{{"type", "PERCENT"}, {"percent_off", pick(5, 50)}};
    if (on_items) discount["effect"] = "APPLY_TO_ITEMS";
    def["discount"] = std::move(discount);
    if (const int cat = pick(-1, kCategories - 1); cat >= 0) {
      def["category"] = json::object{{"id", "cat_" + std::to_string(cat)},
                                     {"name", "cat_" + std::to_string(cat)},
                                     {"hierarchy", hierarchy[cat]}};
    }
    if (pick(0, 9) == 0) def["expiration_date"] = "2026-01-01T00:00:00Z";  // statically invalid
    std::vector<Rule> rules;
    json::object rule;
    if (pick(0, 3) == 0) {  // depends on what earlier redeemables took off the cart
      rule["rules"] = json::object{
          {"1", json::object{{"name", "order.amount"},
                             {"conditions",
                              json::object{{"$more_than", json::array{pick(10, 150) * 100}}}}}},
          {"logic", "1"}};
    }
    if (on_items) {
      json::array included;
      for (int p = 0; p < 4; ++p) {
        if (pick(0, 1))
          included.push_back(json::object{{"object", "product"}, {"id", "p" + std::to_string(p)}});
      }
      if (included.empty()) included.push_back(json::object{{"object", "product"}, {"id", "p0"}});
      rule["applicable_to"] = json::object{{"included", std::move(included)}};
    }
    if (!rule.empty()) rules.push_back(compile_rule("val_" + std::to_string(i), rule).value());
    c.about += json::serialize(def) + (rule.empty() ? "" : " " + json::serialize(rule)) + "\n";
    RedeemableRef ref;
    ref.object = "voucher";
    ref.id = "C" + std::to_string(i);
    ref.incentive =
        std::make_shared<const Incentive>(incentive_from_json(def, std::move(rules)).value());
    c.request.redeemables.push_back(std::move(ref));
  }
  c.about += "cart: " + json::serialize(body.at("order")) + "\n";
  return c;
}

// A plain request (no best deal, settings that keep the order as sent) of `which`, in that order.
Decision decide_as_sent(const Case& c, const std::vector<size_t>& which) {
  Catalog catalog = c.catalog;
  catalog.stacking.sorting = StackingRules::Sorting::kRequestedOrder;
  catalog.stacking.joint_always_last = false;
  Request r = c.request;
  r.redeemables.clear();
  for (size_t i : which) r.redeemables.push_back(c.request.redeemables[i]);
  r.best_deal = false;
  return evaluate(catalog, c.usage, r, kNow);
}

void expect_constraints_hold(const Case& c, const Decision& d) {
  const StackingRules& s = c.catalog.stacking;
  int applicable = 0, exclusive = 0, common = 0;
  std::map<std::string, int> per_category, exclusive_per_category;
  for (const RedeemableResult& r : d.redeemables) {
    if (r.status == RedeemableStatus::kSkipped) {
      EXPECT_FALSE(r.skip_key.empty());
      if (s.mode == StackingRules::Mode::kAll) {
        EXPECT_NE(r.skip_key, "not_in_best_deal") << "ALL mode may only reorder";
      }
    }
    if (r.status != RedeemableStatus::kApplicable) continue;
    const Incentive& inc = *r.incentive;
    ++applicable;
    if (inc.category) ++per_category[inc.category->id];
    if (is_exclusive(inc)) {
      ++exclusive;
      ++exclusive_per_category[inc.category->id];
    } else if (!is_joint(inc)) {
      ++common;
    }
  }
  if (!d.valid) return;
  EXPECT_LE(applicable, s.applicable_redeemables_limit);
  EXPECT_EQ(static_cast<size_t>(applicable), d.application_order.size());
  for (const auto& [category, count] : per_category) {
    const auto custom = s.applicable_redeemables_category_limits.find(category);
    const std::optional<int> limit = custom != s.applicable_redeemables_category_limits.end()
                                         ? std::optional<int>(custom->second)
                                         : s.applicable_redeemables_per_category_limit;
    if (limit) {
      EXPECT_LE(count, *limit) << category;
    }
  }
  EXPECT_LE(exclusive, s.applicable_exclusive_redeemables_limit);
  if (s.applicable_exclusive_redeemables_per_category_limit) {
    for (const auto& [category, count] : exclusive_per_category) {
      EXPECT_LE(count, *s.applicable_exclusive_redeemables_per_category_limit) << category;
    }
  }
  if (exclusive > 0) {
    EXPECT_EQ(common, 0) << "a Common incentive applied beside an exclusive one";
  }
  if (s.mode == StackingRules::Mode::kAll) {
    for (const RedeemableResult& r : d.redeemables) {
      EXPECT_NE(r.status, RedeemableStatus::kInapplicable) << "ALL mode and valid";
    }
  }
  EXPECT_GE(d.order.total_amount(), 0);
  EXPECT_LE(d.order.total_applied_discount_amount(), d.order.amount);
}

void check(const Case& c, bool exhaustive) {
  SCOPED_TRACE(c.about);
  const Decision requested = evaluate(c.catalog, c.usage, c.request, kNow);
  Request with = c.request;
  with.best_deal = true;
  const Decision best = evaluate(c.catalog, c.usage, with, kNow);

  // Never worse than the requested order.
  if (requested.valid) {
    EXPECT_TRUE(best.valid);
  }
  EXPECT_GE(discount_of(best), discount_of(requested));
  EXPECT_LE(best.best_deal_tried, kBestDealBudget);
  expect_constraints_hold(c, best);

  // Deterministic.
  const Decision again = evaluate(c.catalog, c.usage, with, kNow);
  EXPECT_EQ(discount_of(again), discount_of(best));
  EXPECT_EQ(again.application_order, best.application_order);

  // What it applied, in its order, as a plain request: the same discount, all applicable.
  if (best.valid) {
    const Decision replay = decide_as_sent(c, best.application_order);
    EXPECT_TRUE(replay.valid);
    EXPECT_EQ(discount_of(replay), discount_of(best));
    for (const RedeemableResult& r : replay.redeemables) {
      EXPECT_EQ(r.status, RedeemableStatus::kApplicable) << r.id << " " << r.skip_key;
    }
  }

  if (!exhaustive) return;
  // Nothing beats it: every subset (ALL mode: only the whole set) in every order.
  const size_t n = c.request.redeemables.size();
  Money best_seen = 0;
  for (uint32_t mask = 1; mask < (1U << n); ++mask) {
    if (c.catalog.stacking.mode == StackingRules::Mode::kAll && mask != (1U << n) - 1) continue;
    std::vector<size_t> subset;
    for (size_t i = 0; i < n; ++i) {
      if (mask & (1U << i)) subset.push_back(i);
    }
    do {
      best_seen = std::max(best_seen, discount_of(decide_as_sent(c, subset)));
    } while (std::next_permutation(subset.begin(), subset.end()));
  }
  EXPECT_EQ(discount_of(best), best_seen) << "a subset or order gives the customer more";
}

TEST(BestDealProperty, SmallSetsAreOptimalAndValid) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    check(random_case(seed, 2, 5), true);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(BestDealProperty, LargeSetsNeverWorseThanRequestedAndValid) {
  for (uint32_t seed = 1001; seed <= 1060; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    check(random_case(seed, 7, 30), false);
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
}  // namespace openpromo::engine
