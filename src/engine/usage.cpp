#include "engine/usage.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace openpromo::engine {
namespace {

struct NamedRead {
  std::string_view name;
  CounterRead read;
};

constexpr CounterRead read(CounterScope scope, CounterSubject subject, CounterWindow window,
                           CounterMeasure measure, bool with_candidate = true) {
  return CounterRead{scope, subject, window, measure, with_candidate};
}

using S = CounterScope;
using B = CounterSubject;
using W = CounterWindow;
using M = CounterMeasure;

// Spec 8.2 and 8.3. `redemption.count.per_user` counts per API key: redemptions are made by keys
// (dashboard users come with the dashboard issue). `redemption.gift.amount` is the campaign's
// budget of spent credits (spec 8.3), like the other budget sums.
constexpr std::array<NamedRead, 20> kReads{{
    {"campaign.redemptions.count", read(S::kCampaign, B::kEveryone, W::kTotal, M::kCount)},
    {"campaign.redemptions.count.daily", read(S::kCampaign, B::kEveryone, W::kDay, M::kCount)},
    {"campaign.redemptions.count.weekly", read(S::kCampaign, B::kEveryone, W::kWeek, M::kCount)},
    {"campaign.redemptions.count.monthly", read(S::kCampaign, B::kEveryone, W::kMonth, M::kCount)},
    {"campaign.redemptions.customers_count",
     read(S::kCampaign, B::kEveryone, W::kTotal, M::kCustomers, false)},
    {"campaign.redemptions.customers_count.daily",
     read(S::kCampaign, B::kEveryone, W::kDay, M::kCustomers, false)},
    {"campaign.redemptions.customers_count.weekly",
     read(S::kCampaign, B::kEveryone, W::kWeek, M::kCustomers, false)},
    {"campaign.redemptions.customers_count.monthly",
     read(S::kCampaign, B::kEveryone, W::kMonth, M::kCustomers, false)},
    {"campaign.orders.amount", read(S::kCampaign, B::kEveryone, W::kTotal, M::kOrderAmount)},
    {"campaign.orders.amount_discounted",
     read(S::kCampaign, B::kEveryone, W::kTotal, M::kDiscountAmount)},
    {"redemption.gift.amount", read(S::kCampaign, B::kEveryone, W::kTotal, M::kGiftAmount)},
    {"redemption.count.daily", read(S::kIncentive, B::kEveryone, W::kDay, M::kCount)},
    {"redemption.count.weekly", read(S::kIncentive, B::kEveryone, W::kWeek, M::kCount)},
    {"redemption.count.monthly", read(S::kIncentive, B::kEveryone, W::kMonth, M::kCount)},
    {"redemption.count.per_customer", read(S::kIncentive, B::kCustomer, W::kTotal, M::kCount)},
    {"redemption.count.per_customer.daily", read(S::kIncentive, B::kCustomer, W::kDay, M::kCount)},
    {"redemption.count.per_customer.weekly",
     read(S::kIncentive, B::kCustomer, W::kWeek, M::kCount)},
    {"redemption.count.per_customer.monthly",
     read(S::kIncentive, B::kCustomer, W::kMonth, M::kCount)},
    {"redemption.count.per_api_key", read(S::kIncentive, B::kApiKey, W::kTotal, M::kCount)},
    {"redemption.count.per_user", read(S::kIncentive, B::kApiKey, W::kTotal, M::kCount)},
}};

const WindowCounts& window_of(const CounterRow& row, CounterWindow w) {
  return w == W::kDay ? row.day : w == W::kWeek ? row.week : row.month;
}
WindowCounts& window_of(CounterRow& row, CounterWindow w) {
  return w == W::kDay ? row.day : w == W::kWeek ? row.week : row.month;
}
int64_t period_of(const Periods& p, CounterWindow w) {
  return w == W::kDay ? p.day : w == W::kWeek ? p.week : p.month;
}

constexpr std::array<CounterWindow, 3> kPeriodWindows{W::kDay, W::kWeek, W::kMonth};

// The deltas of one row summed (a request may apply several redeemables of one campaign).
std::map<std::string, CounterDelta> merged(const std::vector<CounterDelta>& deltas) {
  std::map<std::string, CounterDelta> out;
  for (const CounterDelta& d : deltas) {
    auto [it, fresh] = out.try_emplace(d.row, d);
    if (fresh) continue;
    CounterDelta& m = it->second;
    m.count += d.count;
    m.order_amount += d.order_amount;
    m.discount_amount += d.discount_amount;
    m.gift_amount += d.gift_amount;
    if (m.customers_row.empty()) m.customers_row = d.customers_row;
  }
  return out;
}

int64_t at_least_zero(int64_t v) {
  return v < 0 ? 0 : v;
}

}  // namespace

std::optional<CounterRead> counter_read_of(std::string_view rule_name) {
  for (const NamedRead& r : kReads) {
    if (r.name == rule_name) return r.read;
  }
  return std::nullopt;
}

Periods periods_at(Instant t, const TimeZone& zone, int week_start) {
  const LocalTime local = zone.to_local(t);
  Periods p;
  p.day = local.days_since_epoch;
  const int back = ((local.day_of_week - week_start) % 7 + 7) % 7;
  p.week = local.days_since_epoch - back;
  p.month = local.year * 12 + static_cast<int64_t>(local.month) - 1;
  return p;
}

int64_t CounterRow::value(CounterWindow window, CounterMeasure measure, const Periods& now) const {
  if (window == W::kTotal) {
    switch (measure) {
      case M::kCount:
        return count;
      case M::kCustomers:
        return customers;
      case M::kOrderAmount:
        return order_amount;
      case M::kDiscountAmount:
        return discount_amount;
      case M::kGiftAmount:
        return gift_amount;
    }
    return 0;
  }
  const WindowCounts& w = window_of(*this, window);
  if (w.period != period_of(now, window)) return 0;
  if (measure == M::kCount) return w.count;
  if (measure == M::kCustomers) return w.customers;
  return 0;  // amounts are kept for the total only
}

std::string counter_row_key(CounterScope scope, std::string_view scope_id, CounterSubject subject,
                            std::string_view subject_id) {
  std::string key = scope == S::kIncentive ? "i|" : "c|";
  key += scope_id;
  if (subject == B::kCustomer) {
    key += "|c|";
    key += subject_id;
  } else if (subject == B::kApiKey) {
    key += "|k|";
    key += subject_id;
  }
  return key;
}

std::vector<CounterDelta> redemption_deltas(std::string_view incentive_id,
                                            const std::optional<std::string>& campaign_id,
                                            const std::optional<std::string>& customer_id,
                                            const std::optional<std::string>& api_key_id,
                                            Money order_amount, Money discount_amount,
                                            Money gift_amount) {
  std::vector<CounterDelta> out;
  auto add = [&](std::string row, bool sums, std::string customers_row = {}) {
    CounterDelta d;
    d.row = std::move(row);
    d.count = 1;
    if (sums) {
      d.order_amount = order_amount;
      d.discount_amount = discount_amount;
      d.gift_amount = gift_amount;
    }
    d.customers_row = std::move(customers_row);
    out.push_back(std::move(d));
  };
  // A standalone voucher is its own campaign: campaign-level rules read its own rows.
  const bool has_campaign = campaign_id && !campaign_id->empty();
  const std::string_view campaign_scope = has_campaign ? *campaign_id : incentive_id;
  const bool has_customer = customer_id && !customer_id->empty();
  add(counter_row_key(S::kIncentive, incentive_id, B::kEveryone, {}), true);
  if (has_customer)
    add(counter_row_key(S::kIncentive, incentive_id, B::kCustomer, *customer_id), false);
  if (api_key_id && !api_key_id->empty()) {
    add(counter_row_key(S::kIncentive, incentive_id, B::kApiKey, *api_key_id), false);
  }
  const std::string customers_row =
      has_customer ? counter_row_key(S::kCampaign, campaign_scope, B::kCustomer, *customer_id)
                   : std::string();
  add(counter_row_key(S::kCampaign, campaign_scope, B::kEveryone, {}), true, customers_row);
  if (has_customer) add(customers_row, false);
  return out;
}

void apply_deltas(CounterRows& rows, const std::vector<CounterDelta>& deltas, const Periods& at) {
  const auto by_row = merged(deltas);
  // Distinct customers are judged on the rows as they were before this change.
  struct NewCustomer {
    bool total = false;
    std::array<bool, 3> in_window{};
  };
  std::map<std::string, NewCustomer> fresh;
  for (const auto& [key, d] : by_row) {
    if (d.customers_row.empty()) continue;
    const auto it = rows.find(d.customers_row);
    const CounterRow empty;
    const CounterRow& cc = it == rows.end() ? empty : it->second;
    NewCustomer n;
    n.total = cc.count == 0;
    for (size_t w = 0; w < kPeriodWindows.size(); ++w) {
      n.in_window[w] = cc.value(kPeriodWindows[w], M::kCount, at) == 0;
    }
    fresh[key] = n;
  }
  for (const auto& [key, d] : by_row) {
    CounterRow& row = rows[key];
    const auto f = fresh.find(key);
    row.count += d.count;
    row.order_amount += d.order_amount;
    row.discount_amount += d.discount_amount;
    row.gift_amount += d.gift_amount;
    if (f != fresh.end() && f->second.total) ++row.customers;
    for (size_t w = 0; w < kPeriodWindows.size(); ++w) {
      WindowCounts& win = window_of(row, kPeriodWindows[w]);
      const int64_t period = period_of(at, kPeriodWindows[w]);
      if (win.period != period) win = WindowCounts{period, 0, 0};
      win.count += d.count;
      if (f != fresh.end() && f->second.in_window[w]) ++win.customers;
    }
  }
}

void revert_deltas(CounterRows& rows, const std::vector<CounterDelta>& deltas, const Periods& at) {
  const auto by_row = merged(deltas);
  // Customer rows first: whether the customer is still in a window is judged after them.
  auto subtract = [&](const std::string& key, const CounterDelta& d) {
    CounterRow& row = rows[key];
    row.count = at_least_zero(row.count - d.count);
    row.order_amount = at_least_zero(row.order_amount - d.order_amount);
    row.discount_amount = at_least_zero(row.discount_amount - d.discount_amount);
    row.gift_amount = at_least_zero(row.gift_amount - d.gift_amount);
    for (CounterWindow w : kPeriodWindows) {
      WindowCounts& win = window_of(row, w);
      if (win.period == period_of(at, w)) win.count = at_least_zero(win.count - d.count);
    }
  };
  for (const auto& [key, d] : by_row) {
    if (d.customers_row.empty()) subtract(key, d);
  }
  for (const auto& [key, d] : by_row) {
    if (d.customers_row.empty()) continue;
    subtract(key, d);
    CounterRow& row = rows[key];
    const CounterRow& cc = rows[d.customers_row];
    if (cc.count == 0) row.customers = at_least_zero(row.customers - 1);
    for (CounterWindow w : kPeriodWindows) {
      WindowCounts& win = window_of(row, w);
      const WindowCounts& cw = window_of(cc, w);
      if (win.period == period_of(at, w) && cw.period == win.period && cw.count == 0) {
        win.customers = at_least_zero(win.customers - 1);
      }
    }
  }
}

std::vector<std::string> rows_touched(const std::vector<CounterDelta>& deltas) {
  std::set<std::string> keys;
  for (const CounterDelta& d : deltas) {
    keys.insert(d.row);
    if (!d.customers_row.empty()) keys.insert(d.customers_row);
  }
  return {keys.begin(), keys.end()};
}

}  // namespace openpromo::engine
