#include "service/usage_rows.h"

namespace openpromo {
namespace {

int64_t int_field(const JsonObject& o, std::string_view key, bool& ok) {
  const Json* v = o.if_contains(key);
  if (!v || !v->is_int64()) {
    ok = false;
    return 0;
  }
  return v->as_int64();
}

}  // namespace

engine::CounterRow to_engine(const UsageCounter& c) {
  engine::CounterRow r;
  r.count = c.count;
  r.customers = c.customers;
  r.order_amount = c.order_amount;
  r.discount_amount = c.discount_amount;
  r.gift_amount = c.gift_amount;
  r.day = {c.day_period, c.day_count, c.day_customers};
  r.week = {c.week_period, c.week_count, c.week_customers};
  r.month = {c.month_period, c.month_count, c.month_customers};
  return r;
}

UsageCounter to_stored(const std::string& key, const engine::CounterRow& r) {
  UsageCounter c;
  c.key = key;
  c.count = r.count;
  c.customers = r.customers;
  c.order_amount = r.order_amount;
  c.discount_amount = r.discount_amount;
  c.gift_amount = r.gift_amount;
  c.day_period = r.day.period;
  c.day_count = r.day.count;
  c.day_customers = r.day.customers;
  c.week_period = r.week.period;
  c.week_count = r.week.count;
  c.week_customers = r.week.customers;
  c.month_period = r.month.period;
  c.month_count = r.month.count;
  c.month_customers = r.month.customers;
  return c;
}

JsonObject effects_json(const RecordedEffects& e) {
  JsonArray deltas;
  for (const engine::CounterDelta& d : e.deltas) {
    JsonObject o{{"row", d.row}, {"count", d.count}};
    if (d.order_amount) o["order_amount"] = d.order_amount;
    if (d.discount_amount) o["discount_amount"] = d.discount_amount;
    if (d.gift_amount) o["gift_amount"] = d.gift_amount;
    if (!d.customers_row.empty()) o["customers_row"] = d.customers_row;
    deltas.push_back(std::move(o));
  }
  return JsonObject{
      {"periods",
       JsonObject{{"day", e.periods.day}, {"week", e.periods.week}, {"month", e.periods.month}}},
      {"counters", std::move(deltas)}};
}

Result<RecordedEffects> effects_from_json(const JsonObject& json) {
  auto unreadable = [] {
    return Error::internal("the redemption's recorded effects cannot be read");
  };
  RecordedEffects out;
  bool ok = true;
  const Json* p = json.if_contains("periods");
  const Json* c = json.if_contains("counters");
  if (!p || !p->is_object() || !c || !c->is_array()) return unreadable();
  out.periods.day = int_field(p->as_object(), "day", ok);
  out.periods.week = int_field(p->as_object(), "week", ok);
  out.periods.month = int_field(p->as_object(), "month", ok);
  for (const Json& d : c->as_array()) {
    if (!d.is_object()) return unreadable();
    const JsonObject& o = d.as_object();
    engine::CounterDelta delta;
    const Json* row = o.if_contains("row");
    if (!row || !row->is_string()) return unreadable();
    delta.row = std::string(row->as_string());
    delta.count = int_field(o, "count", ok);
    bool optional_ok = true;
    delta.order_amount = int_field(o, "order_amount", optional_ok);
    delta.discount_amount = int_field(o, "discount_amount", optional_ok);
    delta.gift_amount = int_field(o, "gift_amount", optional_ok);
    if (const Json* cr = o.if_contains("customers_row"); cr && cr->is_string()) {
      delta.customers_row = std::string(cr->as_string());
    }
    out.deltas.push_back(std::move(delta));
  }
  if (!ok) return unreadable();
  return out;
}

}  // namespace openpromo
