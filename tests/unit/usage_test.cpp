// Typed usage counters (engine/usage.h): what a rule name reads, the periods an instant falls in,
// and how a redemption's deltas move a row and a rollback takes exactly them back.
#include <gtest/gtest.h>

#include "core/time.h"
#include "engine/usage.h"

namespace openpromo::engine {
namespace {

Instant at(const char* iso) {
  return *parse_iso8601(iso);
}

TEST(CounterReads, RuleNamesMapToTypedCounters) {
  const auto per_customer = counter_read_of("redemption.count.per_customer.monthly");
  ASSERT_TRUE(per_customer);
  EXPECT_EQ(per_customer->scope, CounterScope::kIncentive);
  EXPECT_EQ(per_customer->subject, CounterSubject::kCustomer);
  EXPECT_EQ(per_customer->window, CounterWindow::kMonth);
  EXPECT_TRUE(per_customer->with_candidate);
  const auto budget = counter_read_of("campaign.orders.amount_discounted");
  ASSERT_TRUE(budget);
  EXPECT_EQ(budget->scope, CounterScope::kCampaign);
  EXPECT_EQ(budget->measure, CounterMeasure::kDiscountAmount);
  const auto customers = counter_read_of("campaign.redemptions.customers_count.daily");
  ASSERT_TRUE(customers);
  EXPECT_EQ(customers->measure, CounterMeasure::kCustomers);
  EXPECT_FALSE(customers->with_candidate);
  EXPECT_FALSE(counter_read_of("order.amount"));
  EXPECT_FALSE(counter_read_of("redemption.metadata"));
}

TEST(Periods, DaysWeeksAndMonthsAreTheProjectsLocalCalendar) {
  auto warsaw = TimeZone::load("Europe/Warsaw");
  ASSERT_TRUE(warsaw.ok());
  // 2026-12-31 23:30 UTC is already 2027-01-01 00:30 in Warsaw.
  const Periods p = periods_at(at("2026-12-31T23:30:00Z"), *warsaw, 1);
  const Periods utc = periods_at(at("2026-12-31T23:30:00Z"), TimeZone(), 1);
  EXPECT_EQ(p.day, utc.day + 1);
  EXPECT_EQ(p.month, 2027 * 12 + 0);
  EXPECT_EQ(utc.month, 2026 * 12 + 11);
  // 2027-01-01 is a Friday: a Monday week starts on 2026-12-28, a Sunday week on 2026-12-27.
  EXPECT_EQ(p.day - p.week, 4);
  EXPECT_EQ(p.day - periods_at(at("2026-12-31T23:30:00Z"), *warsaw, 0).week, 5);
  // A Monday is the first day of its own Monday week.
  const Periods monday = periods_at(at("2026-11-30T12:00:00Z"), TimeZone(), 1);
  EXPECT_EQ(monday.day, monday.week);
}

TEST(Deltas, ARedemptionMovesItsRowsAndARollbackTakesExactlyThemBack) {
  const Periods today = periods_at(at("2026-12-01T10:00:00Z"), TimeZone(), 1);
  CounterRows rows;
  const auto first = redemption_deltas("v_1", std::string("camp_1"), std::string("cust_a"),
                                       std::string("key_1"), 10000, 500, 0);
  apply_deltas(rows, first, today);
  const CounterRow& incentive = rows.at(counter_row_key(CounterScope::kIncentive, "v_1",
                                                        CounterSubject::kEveryone, {}));
  EXPECT_EQ(incentive.count, 1);
  EXPECT_EQ(incentive.discount_amount, 500);
  EXPECT_EQ(incentive.value(CounterWindow::kDay, CounterMeasure::kCount, today), 1);
  const std::string campaign =
      counter_row_key(CounterScope::kCampaign, "camp_1", CounterSubject::kEveryone, {});
  EXPECT_EQ(rows.at(campaign).customers, 1);
  EXPECT_EQ(rows.at(campaign).order_amount, 10000);
  EXPECT_EQ(rows.at(counter_row_key(CounterScope::kIncentive, "v_1", CounterSubject::kApiKey,
                                    "key_1"))
                .count,
            1);

  // The same customer again: two redemptions, still one distinct customer.
  const auto second = redemption_deltas("v_2", std::string("camp_1"), std::string("cust_a"),
                                        std::nullopt, 8000, 300, 0);
  apply_deltas(rows, second, today);
  EXPECT_EQ(rows.at(campaign).count, 2);
  EXPECT_EQ(rows.at(campaign).customers, 1);
  EXPECT_EQ(rows.at(campaign).value(CounterWindow::kDay, CounterMeasure::kCustomers, today), 1);

  // Tomorrow the day window reads zero without anything resetting it.
  const Periods tomorrow = periods_at(at("2026-12-02T10:00:00Z"), TimeZone(), 1);
  EXPECT_EQ(rows.at(campaign).value(CounterWindow::kDay, CounterMeasure::kCount, tomorrow), 0);
  EXPECT_EQ(rows.at(campaign).value(CounterWindow::kTotal, CounterMeasure::kCount, tomorrow), 2);

  // Rolling back the first: the customer still has the second, so stays counted.
  revert_deltas(rows, first, today);
  EXPECT_EQ(rows.at(campaign).count, 1);
  EXPECT_EQ(rows.at(campaign).customers, 1);
  EXPECT_EQ(rows.at(campaign).discount_amount, 300);
  EXPECT_EQ(incentive.count, 0);
  // And the second: nobody is left.
  revert_deltas(rows, second, today);
  EXPECT_EQ(rows.at(campaign).count, 0);
  EXPECT_EQ(rows.at(campaign).customers, 0);
  EXPECT_EQ(rows.at(campaign).value(CounterWindow::kDay, CounterMeasure::kCustomers, today), 0);
}

TEST(Deltas, ARollbackOfAnEarlierPeriodLeavesTheCurrentWindowAlone) {
  const Periods monday = periods_at(at("2026-11-30T10:00:00Z"), TimeZone(), 1);
  const Periods tuesday = periods_at(at("2026-12-01T10:00:00Z"), TimeZone(), 1);
  CounterRows rows;
  const auto old = redemption_deltas("v_1", std::nullopt, std::nullopt, std::nullopt, 100, 10, 0);
  const auto fresh = redemption_deltas("v_1", std::nullopt, std::nullopt, std::nullopt, 100, 10, 0);
  apply_deltas(rows, old, monday);
  apply_deltas(rows, fresh, tuesday);
  const std::string key =
      counter_row_key(CounterScope::kIncentive, "v_1", CounterSubject::kEveryone, {});
  EXPECT_EQ(rows.at(key).value(CounterWindow::kDay, CounterMeasure::kCount, tuesday), 1);
  EXPECT_EQ(rows.at(key).value(CounterWindow::kWeek, CounterMeasure::kCount, tuesday), 2);
  revert_deltas(rows, old, monday);
  EXPECT_EQ(rows.at(key).value(CounterWindow::kDay, CounterMeasure::kCount, tuesday), 1)
      << "Monday's redemption is not in Tuesday's count";
  EXPECT_EQ(rows.at(key).value(CounterWindow::kWeek, CounterMeasure::kCount, tuesday), 1)
      << "but it was in this week's";
  EXPECT_EQ(rows.at(key).count, 1);
}

TEST(Deltas, RowsAreLockedInOneSortedOrder) {
  const auto deltas = redemption_deltas("v_9", std::string("camp_1"), std::string("cust_z"),
                                        std::string("key_1"), 1, 1, 0);
  const auto rows = rows_touched(deltas);
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
  EXPECT_EQ(rows.size(), 5u);
}

}  // namespace
}  // namespace openpromo::engine
