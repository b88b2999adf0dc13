// Checks of the definition objects that campaigns and vouchers carry as JSON (spec 5-6). The
// discount and the validity windows are checked by the engine's own parsers
// (engine/definitions.h), the ones validation uses, so a write accepts exactly what validation
// can evaluate; code configurations and codes are checked here. Each returns the documented 400
// error naming the offending field.
#pragma once

#include <string_view>

#include "core/error.h"
#include "core/json.h"
#include "model/code_config.h"

namespace openpromo {

Status check_discount(const Json& discount);
// One of validity_timeframe, validity_day_of_week or validity_hours (`key`) with its value.
Status check_window(std::string_view key, const Json& value);
Status check_metadata(const Json& metadata);
// `code_config` JSON -> CodeConfig (absent fields take the defaults), validated.
Result<CodeConfig> code_config_from_json(const Json& config);
JsonObject code_config_to_json(const CodeConfig& config);
// A code given by a client: 1-100 printable characters, no surrounding spaces.
Status check_code(std::string_view code);

}  // namespace openpromo
