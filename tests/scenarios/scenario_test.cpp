// Plays every case of tests/scenarios/*.json through the engine in-process: decode the request
// as the HTTP route does, resolve redeemables against the case's definitions, evaluate, encode,
// and compare with the expected subset of the response. See README.md for the format.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/validation_codec.h"
#include "engine/definitions.h"
#include "engine/engine.h"
#include "support/scenario_files.h"

namespace openpromo {
namespace {

using Case = testing::ScenarioCase;

std::vector<Case> load_cases() {
  return testing::load_scenario_cases(OPENPROMO_SCENARIO_DIR);
}

JsonObject error_object(const Error& e) {
  return JsonObject{
      {"code", e.code}, {"key", e.key}, {"message", e.message}, {"details", e.details}};
}

// Runs one case and returns the response JSON (or {"error": ...}).
// Puts `value` where `read` finds it: the total, or the window of the current period.
void set_counter(engine::CounterRow& row, const engine::CounterRead& read, int64_t value,
                 const engine::Periods& now) {
  using engine::CounterMeasure;
  using engine::CounterWindow;
  if (read.window == CounterWindow::kTotal) {
    switch (read.measure) {
      case CounterMeasure::kCount:
        row.count = value;
        break;
      case CounterMeasure::kCustomers:
        row.customers = value;
        break;
      case CounterMeasure::kOrderAmount:
        row.order_amount = value;
        break;
      case CounterMeasure::kDiscountAmount:
        row.discount_amount = value;
        break;
      case CounterMeasure::kGiftAmount:
        row.gift_amount = value;
        break;
    }
    return;
  }
  engine::WindowCounts& w = read.window == CounterWindow::kDay    ? row.day
                            : read.window == CounterWindow::kWeek ? row.week
                                                                  : row.month;
  w.period = read.window == CounterWindow::kDay    ? now.day
             : read.window == CounterWindow::kWeek ? now.week
                                                   : now.month;
  (read.measure == CounterMeasure::kCustomers ? w.customers : w.count) = value;
}

Json run(const Case& c) {
  const JsonObject& s = c.setup;
  engine::Catalog catalog;
  if (const Json* tz = s.if_contains("time_zone")) {
    auto zone = TimeZone::load(tz->as_string());
    if (!zone.ok()) return JsonObject{{"error", error_object(zone.error())}};
    catalog.zone = std::move(zone).value();
  }
  if (const Json* st = s.if_contains("stacking_rules")) {
    auto parsed = engine::parse_stacking_rules(*st);
    if (!parsed.ok()) return JsonObject{{"error", error_object(parsed.error())}};
    catalog.stacking = std::move(parsed).value();
  }
  if (const Json* cols = s.if_contains("collections")) {
    for (const auto& [id, members] : cols->as_object()) {
      engine::Collection col;
      for (const Json& m : members.as_array()) col.members.insert(std::string(m.as_string()));
      catalog.collections[std::string(id)] = std::move(col);
    }
  }
  std::map<std::string, engine::Rule> rules;
  if (const Json* rs = s.if_contains("rules")) {
    for (const auto& [id, rule] : rs->as_object()) {
      auto compiled = engine::compile_rule(std::string(id), rule.as_object());
      if (!compiled.ok()) return JsonObject{{"error", error_object(compiled.error())}};
      rules[std::string(id)] = std::move(compiled).value();
    }
  }
  std::vector<std::shared_ptr<const engine::Incentive>> incentives;
  if (const Json* list = s.if_contains("incentives")) {
    for (const Json& def : list->as_array()) {
      std::vector<engine::Rule> own;
      if (const Json* ids = def.as_object().if_contains("validation_rules")) {
        for (const Json& id : ids->as_array()) own.push_back(rules.at(std::string(id.as_string())));
      }
      auto inc = engine::incentive_from_json(def.as_object(), std::move(own));
      if (!inc.ok()) return JsonObject{{"error", error_object(inc.error())}};
      incentives.push_back(std::make_shared<const engine::Incentive>(std::move(inc).value()));
    }
  }
  engine::Usage usage;
  if (const Json* u = s.if_contains("usage")) {
    for (const auto& [id, value] : u->as_object()) {
      const JsonObject& o = value.as_object();
      engine::IncentiveUsage use;
      if (const Json* v = o.if_contains("redeemed_quantity"))
        use.redeemed_quantity = v->to_number<int64_t>();
      if (const Json* v = o.if_contains("locked_quantity"))
        use.locked_quantity = v->to_number<int64_t>();
      if (const Json* v = o.if_contains("gift_balance")) use.gift_balance = v->to_number<int64_t>();
      if (const Json* v = o.if_contains("locked_gift_credits"))
        use.locked_gift_credits = v->to_number<int64_t>();
      usage.by_incentive[std::string(id)] = std::move(use);
    }
  }

  const bool legacy = c.body.contains("legacy") && c.body.at("legacy").as_bool();
  api::ValidationOptions options;
  const Json& body = c.body.at("request");
  auto decoded = legacy ? api::decode_legacy_validation(c.body.at("code").as_string(), body)
                        : api::decode_validation_request(body, options);
  if (!decoded.ok()) return JsonObject{{"error", error_object(decoded.error())}};
  engine::Request request = std::move(decoded).value();
  // Resolve: vouchers by code or id, tiers by id, a stack into its tiers.
  std::vector<engine::RedeemableRef> resolved;
  for (engine::RedeemableRef& ref : request.redeemables) {
    if (ref.object == "promotion_stack") {
      const Json* stacks = s.if_contains("stacks");
      const Json* tiers = stacks ? stacks->as_object().if_contains(ref.id) : nullptr;
      if (tiers) {
        for (const Json& tier : tiers->as_array()) {
          engine::RedeemableRef t;
          t.object = "promotion_tier";
          t.id = std::string(tier.as_string());
          resolved.push_back(std::move(t));
        }
        continue;
      }
    }
    resolved.push_back(std::move(ref));
  }
  for (engine::RedeemableRef& ref : resolved) {
    for (const auto& inc : incentives) {
      const bool voucher = inc->kind == engine::Incentive::Kind::kVoucher;
      if ((ref.object == "voucher") != voucher) continue;
      if (inc->id == ref.id || (voucher && inc->code == ref.id)) ref.incentive = inc;
    }
  }
  request.redeemables = std::move(resolved);
  if (auto ok = engine::check_request(catalog, request); !ok.ok()) {
    return JsonObject{{"error", error_object(ok.error())}};
  }
  const std::string now_text =
      c.body.contains("now") ? std::string(c.body.at("now").as_string()) : "2026-01-15T12:00:00Z";
  const auto now = parse_iso8601(now_text);
  if (!now) throw std::runtime_error("bad now: " + now_text);
  // Counters are given by rule name per incentive: each lands in the row and window the rule
  // reads, for the scenario's customer (as if stored under its id or source id) and key.
  if (request.customer.present) {
    request.customer.stored_id =
        request.customer.id ? request.customer.id : request.customer.source_id;
  }
  if (!request.api_key) request.api_key = "key_test";
  const engine::Periods periods = engine::periods_at(*now, catalog.zone, catalog.week_start);
  if (const Json* u = s.if_contains("usage")) {
    for (const auto& [id, value] : u->as_object()) {
      const Json* counters = value.as_object().if_contains("counters");
      if (!counters) continue;
      std::shared_ptr<const engine::Incentive> inc;
      for (const auto& candidate : incentives) {
        if (candidate->id == id) inc = candidate;
      }
      if (!inc) throw std::runtime_error("usage of an unknown incentive: " + std::string(id));
      for (const auto& [name, n] : counters->as_object()) {
        const auto read = engine::counter_read_of(name);
        if (!read) throw std::runtime_error("not a counter: " + std::string(name));
        const auto key = engine::counter_row_for(*read, *inc, request);
        if (!key) continue;  // no such subject in the request
        set_counter(usage.counters[*key], *read, n.to_number<int64_t>(), periods);
      }
    }
  }
  const engine::Decision decision = engine::evaluate(catalog, usage, request, *now);
  const api::ValidationIds ids{"valid_test", "track_test", "v-test"};
  if (legacy) return api::encode_legacy_validation(decision, request, ids);
  return api::encode_validation(decision, request, options, ids);
}

class Scenario : public ::testing::TestWithParam<Case> {};

TEST_P(Scenario, MatchesExpectation) {
  const Case& c = GetParam();
  const Json actual = run(c);
  const std::string diff = testing::json_mismatch(c.body.at("expect"), actual, "response");
  EXPECT_TRUE(diff.empty()) << c.file << "/" << c.name << ": " << diff
                            << "\nfull response: " << to_json_text(actual);
}

INSTANTIATE_TEST_SUITE_P(Engine, Scenario, ::testing::ValuesIn(load_cases()),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           return param_info.param.test_name();
                         });

}  // namespace
}  // namespace openpromo
