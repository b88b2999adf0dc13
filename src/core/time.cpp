#include "core/time.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace openpromo {

Instant now_utc() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Instant{std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count()};
}

// Civil-date conversion on 400-year eras (each era has exactly 146097 days), with March as the
// first month so the leap day falls at the end of the year.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  day = day_of_year - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
}

std::string format_iso8601(Instant t) {
  int64_t days = t.millis / 86'400'000;
  int64_t rest = t.millis % 86'400'000;
  if (rest < 0) {
    rest += 86'400'000;
    days -= 1;
  }
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civil_from_days(days, year, month, day);
  const auto ms = static_cast<int>(rest % 1000);
  const auto secs = static_cast<int>(rest / 1000);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<long long>(year), month, day, secs / 3600, (secs / 60) % 60, secs % 60,
                ms);
  return buf;
}

namespace {

// Reads exactly `n` digits at `pos`; advances pos.
bool read_digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

unsigned days_in_month(int year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::optional<Instant> parse_iso8601(std::string_view s) {
  size_t pos = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  if (!read_digits(s, pos, 4, year) || !expect(s, pos, '-') || !read_digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month))) {
    return std::nullopt;
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  int64_t millis = 0;
  int64_t offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!read_digits(s, pos, 2, hour) || !expect(s, pos, ':') || !read_digits(s, pos, 2, minute)) {
      return std::nullopt;
    }
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!read_digits(s, pos, 2, second)) return std::nullopt;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        size_t digits = 0;
        int64_t scale = 100;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (digits < 3) millis += (s[pos] - '0') * scale;
          scale /= 10;
          ++digits;
          ++pos;
        }
        if (digits == 0 || digits > 9) return std::nullopt;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        const int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        int oh = 0;
        int om = 0;
        if (!read_digits(s, pos, 2, oh)) return std::nullopt;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (!read_digits(s, pos, 2, om) || oh > 23 || om > 59) return std::nullopt;
        offset_minutes = sign * (oh * 60 + om);
      } else {
        return std::nullopt;
      }
    }
    if (pos != s.size()) return std::nullopt;
  }
  const int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return Instant{seconds * 1000 + millis};
}

std::optional<IsoDuration> parse_iso_duration(std::string_view s) {
  if (s.size() < 3 || s.size() > 40 || s[0] != 'P') return std::nullopt;
  IsoDuration d;
  bool time = false;
  bool any = false;
  int64_t value = -1;
  for (size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      if (value > 100'000'000) return std::nullopt;  // keeps every product below int64 range
      value = (value < 0 ? 0 : value * 10) + (c - '0');
      continue;
    }
    if (c == 'T') {
      if (time || value >= 0) return std::nullopt;
      time = true;
      continue;
    }
    if (value < 0) return std::nullopt;
    if (!time && c == 'Y')
      d.months += value * 12;
    else if (!time && c == 'M')
      d.months += value;
    else if (!time && c == 'W')
      d.millis += value * 7 * 86'400'000;
    else if (!time && c == 'D')
      d.millis += value * 86'400'000;
    else if (time && c == 'H')
      d.millis += value * 3'600'000;
    else if (time && c == 'M')
      d.millis += value * 60'000;
    else if (time && c == 'S')
      d.millis += value * 1000;
    else
      return std::nullopt;
    value = -1;
    any = true;
  }
  if (!any || value >= 0) return std::nullopt;
  return d;
}

Instant add_duration(Instant t, const IsoDuration& d, int64_t times) {
  Instant out{t.millis + d.millis * times};
  if (d.months == 0) return out;
  constexpr int64_t kDay = 86'400'000;
  int64_t days = out.millis / kDay;
  int64_t in_day = out.millis % kDay;
  if (in_day < 0) {
    in_day += kDay;
    --days;
  }
  int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, year, month, day);
  const int64_t month_index = year * 12 + (month - 1) + d.months * times;
  year = month_index >= 0 ? month_index / 12 : -((-month_index + 11) / 12);
  month = static_cast<unsigned>(month_index - year * 12 + 1);
  static constexpr unsigned kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned last = kMonthDays[month - 1];
  if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) last = 29;
  day = std::min(day, last);
  return Instant{days_from_civil(year, month, day) * kDay + in_day};
}

std::optional<int> parse_time_of_day(std::string_view hhmm) {
  if (hhmm.size() != 5 || hhmm[2] != ':') return std::nullopt;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (hhmm[i] < '0' || hhmm[i] > '9') return std::nullopt;
  }
  const int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
  const int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

}  // namespace openpromo
