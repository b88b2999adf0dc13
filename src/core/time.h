// Instant: a point in UTC time with millisecond precision, and its ISO-8601 text form.
//
// The API speaks ISO-8601 UTC (`2024-11-12T14:59:23.019Z`); the store keeps milliseconds since the
// Unix epoch as an int64, which sorts and compares the same on every backend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openpromo {

struct Instant {
  int64_t millis = 0;  // since 1970-01-01T00:00:00Z

  friend auto operator<=>(const Instant&, const Instant&) = default;
};

// The current wall-clock time. Only the service layer calls this; the engine receives `now`.
Instant now_utc();

// `2024-11-12T14:59:23.019Z`: always UTC, always milliseconds.
std::string format_iso8601(Instant t);

// Accepts `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z`, `+HH:MM`, `-HH:MM`
// or nothing (read as UTC). Returns nullopt for anything else, including out-of-range fields.
std::optional<Instant> parse_iso8601(std::string_view text);

// A time of day written `HH:mm` (00:00 to 23:59, and 24:00 for the end of the day), as minutes
// since midnight. The one parser of it: validity hours, the `$timeframe` rule operator.
std::optional<int> parse_time_of_day(std::string_view hhmm);

// Days since the epoch for a proleptic Gregorian date, and back.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);
void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day);

// An ISO 8601 duration (`P1D`, `PT1H`, `P1M`, `P2DT3H30M`): calendar months (years count 12)
// and a fixed part in milliseconds (weeks, days, hours, minutes, seconds; days are 24 h).
struct IsoDuration {
  int64_t months = 0;
  int64_t millis = 0;
  bool empty() const { return months == 0 && millis == 0; }
};
std::optional<IsoDuration> parse_iso_duration(std::string_view text);
// `t` plus `times` x `d` (months added on the UTC calendar, the day clamped to the month's end).
Instant add_duration(Instant t, const IsoDuration& d, int64_t times = 1);

}  // namespace openpromo
