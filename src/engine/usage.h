// Usage: what has been redeemed, as typed counters the engine reads and the decision moves.
//
// A counter row holds the redemptions of one *scope* (an incentive, or a campaign) by one
// *subject* (everyone, one customer, one API key), in every *window* at once: the total, and the
// current day, week and month in the project's time zone. Each window remembers which period it
// counts (a day number, the first day of a week, a month number); a row whose window belongs to
// an earlier period reads as zero there, so no job has to reset counters at midnight.
//
//   i|<incentive>             everyone's redemptions of a voucher or tier
//   i|<incentive>|c|<cust>    one customer's            (redemption.count.per_customer*)
//   i|<incentive>|k|<key>     through one API key       (redemption.count.per_api_key)
//   c|<campaign>              the campaign's redemptions, budgets and distinct customers
//   c|<campaign>|c|<cust>     one customer's in the campaign (decides "distinct customers")
//
// A compiled rule declares which counters it reads (CounterRead, from the rule's names), so the
// service reads exactly those rows for a validation. A decision lists, per applied redeemable,
// the counter deltas it makes (CounterDelta); a redemption locks the rows, re-decides on them and
// writes `apply_deltas` of them back, and a rollback writes `revert_deltas` of the deltas the
// redemption recorded. Both are pure functions here so the service re-derives nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "core/time_zone.h"

namespace openpromo::engine {

using Money = int64_t;

enum class CounterScope : uint8_t { kIncentive, kCampaign };
enum class CounterSubject : uint8_t { kEveryone, kCustomer, kApiKey };
enum class CounterWindow : uint8_t { kTotal, kDay, kWeek, kMonth };
enum class CounterMeasure : uint8_t {
  kCount,           // redemptions
  kCustomers,       // distinct customers (campaign rows)
  kOrderAmount,     // sum of the orders' amounts before discounts
  kDiscountAmount,  // sum of the discounts given
  kGiftAmount,      // sum of the gift credits spent
};

// What one rule name reads (spec 7.3, 8.2, 8.3). `with_candidate`: the value includes the
// redemption being decided (`at most 3` lets the third through): +1 for counts, this order's
// amount, discount or credits for sums. Distinct-customer counts are read as stored.
struct CounterRead {
  CounterScope scope = CounterScope::kIncentive;
  CounterSubject subject = CounterSubject::kEveryone;
  CounterWindow window = CounterWindow::kTotal;
  CounterMeasure measure = CounterMeasure::kCount;
  bool with_candidate = true;
};

// The counter a rule name reads, or nullopt for names that are not counters.
std::optional<CounterRead> counter_read_of(std::string_view rule_name);

// The periods an instant falls in, in a zone: the local day number (days since 1970-01-01), the
// day number of the first day of its week (`week_start`: 0 = Sunday ... 6 = Saturday) and the
// month number (year x 12 + month - 1).
struct Periods {
  int64_t day = 0, week = 0, month = 0;
  bool operator==(const Periods&) const = default;
};
Periods periods_at(Instant t, const TimeZone& zone, int week_start);

struct WindowCounts {
  int64_t period = 0;  // which day / week / month these counts are of
  int64_t count = 0, customers = 0;
  bool operator==(const WindowCounts&) const = default;
};

// One stored counter row (table usage_counters). Amount sums are kept for the total only:
// budgets are totals.
struct CounterRow {
  int64_t count = 0, customers = 0;
  Money order_amount = 0, discount_amount = 0, gift_amount = 0;
  WindowCounts day, week, month;
  bool operator==(const CounterRow&) const = default;

  // The value of `measure` in `window` as of `now` (a window of an earlier period reads 0).
  int64_t value(CounterWindow window, CounterMeasure measure, const Periods& now) const;
};

// The key of a row: "i|<id>", "i|<id>|c|<customer>", "c|<id>|k|<key>", ...
std::string counter_row_key(CounterScope scope, std::string_view scope_id, CounterSubject subject,
                            std::string_view subject_id);

// One applied redemption's change to one row. For campaign rows `customers_row` names the
// campaign-and-customer row whose emptiness decides whether the customer is new to the campaign
// in each window (the distinct-customer counts move only then).
struct CounterDelta {
  std::string row;
  int64_t count = 0;
  Money order_amount = 0, discount_amount = 0, gift_amount = 0;
  std::string customers_row;
  bool operator==(const CounterDelta&) const = default;
};

using CounterRows = std::unordered_map<std::string, CounterRow>;

// The rows every redemption of an incentive changes, for a customer (stored id; empty: none) and
// an API key (empty: none): the incentive's own rows, and its campaign's when it has one.
std::vector<CounterDelta> redemption_deltas(std::string_view incentive_id,
                                            const std::optional<std::string>& campaign_id,
                                            const std::optional<std::string>& customer_id,
                                            const std::optional<std::string>& api_key_id,
                                            Money order_amount, Money discount_amount,
                                            Money gift_amount);

// Adds `deltas` (recorded at `at`) to `rows`, creating missing rows. Windows of an earlier
// period restart at zero. Deltas of one row are summed first, so two redeemables of one campaign
// in one request count the customer once.
void apply_deltas(CounterRows& rows, const std::vector<CounterDelta>& deltas, const Periods& at);
// Takes `deltas`, recorded at `at`, back out of `rows`: totals always, windows only while they
// still count the period of `at`; a customer whose last redemption in a window goes stops
// counting as a distinct customer there. Counts never go below zero.
void revert_deltas(CounterRows& rows, const std::vector<CounterDelta>& deltas, const Periods& at);

// Every row `deltas` touch (including the customers rows they consult), sorted: the order in
// which a redemption locks them, so concurrent units cannot deadlock.
std::vector<std::string> rows_touched(const std::vector<CounterDelta>& deltas);

}  // namespace openpromo::engine
