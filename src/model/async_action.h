// AsyncAction: a background job with progress (spec 4.8), persisted so it survives a restart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct AsyncAction {
  std::string id;  // aa_...
  std::string project_id;
  std::string type;                             // e.g. CAMPAIGN.VOUCHERS_GENERATE
  std::string status = "ENQUEUED";              // ENQUEUED | IN_PROGRESS | DONE | FAILED
  std::optional<std::string> operation_status;  // SUCCESS | FAILED once finished
  int progress = 0;                             // 0..100
  std::string request_id;
  JsonObject payload;      // what to do (job-specific)
  JsonObject result;       // what was done
  int64_t done_count = 0;  // work units committed so far: a resumed job continues from here
  Instant created_at;
  std::optional<Instant> updated_at;
  std::optional<Instant> started_at;
  std::optional<Instant> finished_at;
};

}  // namespace openpromo
