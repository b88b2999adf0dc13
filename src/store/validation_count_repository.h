// Validation counts per campaign and day (migration 26): the summary's `validations*` counters
// and the dashboard's validation charts. Written by ValidationTally in batches.
#pragma once

#include <optional>
#include <string>

#include "core/error.h"
#include "core/time.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

struct ValidationCounts {
  int64_t validations = 0, succeeded = 0, failed = 0;
};

class ValidationCountRepository {
 public:
  explicit ValidationCountRepository(UnitOfWork& tx) : tx_(tx) {}

  static int64_t day_of(Instant at) { return at.millis / 86'400'000; }

  // Adds `counts` to the campaign's day (several nodes add their own without conflict).
  Status add(const std::string& project_id, const std::string& campaign_id, int64_t day,
             const ValidationCounts& counts);
  // The campaign's counts over the days touching [from, to).
  Result<ValidationCounts> sum(const Scope& scope, const std::string& campaign_id,
                               std::optional<Instant> from, std::optional<Instant> to);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
