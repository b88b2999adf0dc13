// StackingService: the project's stacking rules (spec 10.1), managed through
// /management/v1/projects/{projectId}/stacking-rules. One set per project (a second create is 409
// stacking_rules_exist); without one, the defaults apply (docs/ENGINE.md and the README say which
// where the spec leaves them open). Settings are parsed by the engine's own parser
// (engine::parse_stacking_rules), so what is stored is what validation uses; every category they
// name must exist. Only admins change them; any key of the project may read them.
#pragma once

#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "model/api_key.h"
#include "model/stacking.h"
#include "store/store.h"

namespace openpromo {

class StackingService {
 public:
  explicit StackingService(Store& store) : store_(store) {}

  Result<StackingSettings> create(const Principal& who, const JsonObject& settings);
  Result<std::vector<StackingSettings>> list(const Principal& who);
  Result<StackingSettings> get(const Principal& who, std::string_view id);
  // The fields sent replace the stored ones; the others stay.
  Result<StackingSettings> update(const Principal& who, std::string_view id,
                                  const JsonObject& settings);
  Status remove(const Principal& who, std::string_view id);

 private:
  Store& store_;
};

// Whether the project's stacking rules name `category_id` (a category they name cannot be
// deleted).
Result<bool> stacking_names_category(UnitOfWork& tx, const Scope& scope,
                                     std::string_view category_id);

}  // namespace openpromo
