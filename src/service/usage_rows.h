// Usage counters between the store's rows (model/redemption.h UsageCounter) and the engine's
// values (engine/usage.h), and a redemption's recorded effects as the JSON its row keeps.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "engine/usage.h"
#include "model/redemption.h"

namespace openpromo {

engine::CounterRow to_engine(const UsageCounter& stored);
UsageCounter to_stored(const std::string& key, const engine::CounterRow& row);

// What a child redemption changed, for its rollback: the periods it counted in and its deltas.
struct RecordedEffects {
  engine::Periods periods;
  std::vector<engine::CounterDelta> deltas;
};
JsonObject effects_json(const RecordedEffects& effects);
// Unreadable effects are an error (a rollback must not guess what to give back).
Result<RecordedEffects> effects_from_json(const JsonObject& json);

}  // namespace openpromo
