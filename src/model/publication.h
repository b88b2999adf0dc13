// A publication (spec 12): codes assigned to one customer in one call. Each code belongs to one
// customer only (the voucher's holder_id); the publication records who got what, through which
// channel, and under which caller `source_id` (retry-safe: the same source id gives the same
// publication back).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct Publication {
  std::string id;  // pub_...
  std::string project_id;
  std::optional<std::string> source_id;
  std::string request_hash;  // what the call asked for: a source id reused for another is refused
  std::string customer_id;
  std::optional<std::string> campaign_id;
  std::string channel = "API";
  std::string result = "SUCCESS";
  std::vector<std::string> voucher_ids;  // in publication order
  JsonObject metadata;
  // The calling key, and its store when it speaks for exactly one (per-store reports).
  std::optional<std::string> api_key_id, area_store_id;
  Instant created_at;
};

}  // namespace openpromo
