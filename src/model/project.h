// Project: the tenant. Every key, campaign and record belongs to exactly one project, and the
// project's settings (time zone, currency, code case sensitivity) shape how its data is read.
#pragma once

#include <string>

#include "core/time.h"

namespace openpromo {

struct Project {
  std::string id;  // proj_...
  std::string name;
  std::string time_zone = "UTC";        // IANA name; day/week/month windows are evaluated in it
  std::string currency = "USD";         // ISO 4217; display only, amounts are minor units
  bool case_sensitive_codes = true;     // fixed at creation: whether "ABC" and "abc" are one code
  int week_start = 1;                   // first day of a counter week: 0 = Sunday ... 6 = Saturday
  bool client_redeem_enabled = false;   // whether client keys may redeem (spec 9.3)
  bool client_publish_enabled = false;  // whether client keys may publish codes (spec 12.1)
  Instant created_at;
};

}  // namespace openpromo
