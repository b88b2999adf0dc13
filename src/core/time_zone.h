// TimeZone: an IANA time zone read from the system's tz database (TZif files under
// /usr/share/zoneinfo, Debian's tzdata), for the day, week and hour windows that are evaluated in
// the project's local time (spec 8.2, 8.4).
//
// g++ 12's standard library has no std::chrono::tzdb, so we read TZif ourselves: the 64-bit
// transition table (TZif v2+) is searched for the offset in force at an instant. Debian ships
// "fat" TZif files with explicit transitions up to 2037; after the last transition the last
// offset stays in force (documented limitation; the POSIX footer rule is not interpreted).
//
// A TimeZone is an immutable value, cheap to copy (shared table), safe to use from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace openpromo {

// Local civil time: what a wall clock in the zone shows.
struct LocalTime {
  int64_t year = 1970;
  unsigned month = 1;  // 1-12
  unsigned day = 1;    // 1-31
  int hour = 0, minute = 0, second = 0, millisecond = 0;
  int day_of_week = 4;           // 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday)
  int minute_of_day = 0;         // hour * 60 + minute
  int64_t days_since_epoch = 0;  // of the local date
};

class TimeZone {
 public:
  // UTC, no transitions.
  TimeZone();
  // Loads `name` ("Europe/Warsaw", "UTC") from `zoneinfo_dir`. Names are checked so a hostile
  // name cannot escape the directory.
  static Result<TimeZone> load(std::string_view name,
                               std::string_view zoneinfo_dir = "/usr/share/zoneinfo");

  const std::string& name() const { return table_->name; }
  // Offset from UTC in seconds in force at `t`.
  int32_t offset_seconds(Instant t) const;
  LocalTime to_local(Instant t) const;

 private:
  struct Table {
    std::string name;
    std::vector<int64_t> transitions;  // UTC seconds, ascending
    std::vector<int32_t> offsets;      // offset after transitions[i]
    int32_t initial_offset = 0;        // before the first transition
  };
  std::shared_ptr<const Table> table_;
};

}  // namespace openpromo
