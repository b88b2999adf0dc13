// Export: a CSV of one kind of object (spec 13.5), written in the background and downloaded with
// the API credentials and the export's token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct Export {
  std::string id;  // exp_...
  std::string project_id;
  std::string exported_object;  // voucher | redemption | publication | customer | order | ...
  JsonObject parameters;        // {fields, filters, order, campaign_id?} as the caller sent them
  std::string status = "SCHEDULED";  // SCHEDULED | IN_PROGRESS | DONE | ERROR
  std::string channel = "API";
  std::optional<std::string> user_id;
  std::string token;     // random; part of the download URL
  std::string base_url;  // scheme and host the export was requested at (for result.url)
  int64_t row_count = 0;
  std::optional<std::string> error;  // why it ended in ERROR
  Instant created_at;
  std::optional<Instant> updated_at;
};

}  // namespace openpromo
