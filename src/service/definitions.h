// Checks of the definition objects that campaigns and vouchers carry as JSON (spec 5-6):
// discounts, gift and loyalty templates, validity windows, code configuration. Each returns the
// documented 400 error naming the offending field.
#pragma once

#include <string_view>

#include "core/error.h"
#include "core/json.h"
#include "model/code_config.h"

namespace openpromo {

Status check_discount(const Json& discount);
Status check_validity_timeframe(const Json& timeframe);
Status check_validity_day_of_week(const Json& days);
Status check_validity_hours(const Json& hours);
Status check_metadata(const Json& metadata);
// `code_config` JSON -> CodeConfig (absent fields take the defaults), validated.
Result<CodeConfig> code_config_from_json(const Json& config);
JsonObject code_config_to_json(const CodeConfig& config);
// A code given by a client: 1-100 printable characters, no surrounding spaces.
Status check_code(std::string_view code);

}  // namespace openpromo
