#include "core/time.h"

#include <gtest/gtest.h>

namespace openpromo {
namespace {

TEST(Time, FormatsEpochAndMillis) {
  EXPECT_EQ(format_iso8601(Instant{0}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601(Instant{1'731'423'563'019}), "2024-11-12T14:59:23.019Z");
  EXPECT_EQ(format_iso8601(Instant{-1}), "1969-12-31T23:59:59.999Z");
}

TEST(Time, ParsesWhatItFormats) {
  for (int64_t ms : {int64_t{0}, int64_t{951'782'400'000}, int64_t{1'709'251'199'999},
                     int64_t{-86'400'001}, int64_t{4'102'444'800'123}}) {
    auto parsed = parse_iso8601(format_iso8601(Instant{ms}));
    ASSERT_TRUE(parsed) << ms;
    EXPECT_EQ(parsed->millis, ms);
  }
}

TEST(Time, ParsesOffsetsDatesAndFractions) {
  EXPECT_EQ(parse_iso8601("2024-03-10T02:30:00+02:00")->millis,
            parse_iso8601("2024-03-10T00:30:00Z")->millis);
  EXPECT_EQ(parse_iso8601("2024-03-10T02:30:00-0130")->millis,
            parse_iso8601("2024-03-10T04:00:00Z")->millis);
  EXPECT_EQ(parse_iso8601("2024-02-29")->millis, parse_iso8601("2024-02-29T00:00:00.000Z")->millis);
  EXPECT_EQ(parse_iso8601("2024-01-01T00:00:00.5Z")->millis % 1000, 500);
  EXPECT_EQ(parse_iso8601("2024-01-01T00:00:00.123456Z")->millis % 1000, 123);
  EXPECT_EQ(parse_iso8601("2024-01-01T10:15")->millis,
            parse_iso8601("2024-01-01T10:15:00Z")->millis);
}

TEST(Time, RejectsInvalidDates) {
  for (const char* bad : {"", "abc", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31",
                          "2024-01-01T24:00:00Z", "2024-01-01T10:60:00Z", "2024-01-01T10:00:00Zx",
                          "2024-01-01T10:00:00.Z", "2024-1-01", "2024-01-01T10:00:00+25:00"}) {
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  }
}

TEST(Time, CivilDaysRoundTripAcrossCenturies) {
  for (int64_t d = -800'000; d <= 800'000; d += 37) {
    int64_t y = 0;
    unsigned m = 0;
    unsigned day = 0;
    civil_from_days(d, y, m, day);
    ASSERT_EQ(days_from_civil(y, m, day), d);
  }
  EXPECT_EQ(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);  // leap century
  EXPECT_EQ(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28), 1);  // not leap
}

}  // namespace
}  // namespace openpromo
