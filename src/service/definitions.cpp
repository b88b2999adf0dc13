#include "service/definitions.h"

#include "core/time.h"

#include <cmath>
#include <string>

namespace openpromo {
namespace {

Error invalid(std::string key, std::string details) {
  return Error{400, std::move(key), "Invalid payload", std::move(details), {}, {}};
}

bool is_integer(const Json& v) {
  return v.is_int64() || v.is_uint64() ||
         (v.is_double() && std::trunc(v.as_double()) == v.as_double());
}
double number(const Json& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  return v.as_double();
}

bool is_iso_duration(std::string_view s) {
  return parse_iso_duration(s).has_value();
}

bool is_hh_mm(const Json& v) {
  if (!v.is_string()) return false;
  const std::string_view s = v.as_string();
  if (s.size() != 5 || s[2] != ':') return false;
  for (size_t i : {0u, 1u, 3u, 4u}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  return h < 24 && m < 60;
}

Status non_negative_amount(const JsonObject& d, std::string_view field, bool required) {
  const Json* v = d.if_contains(field);
  if (!v || v->is_null()) {
    if (required)
      return invalid("invalid_payload", "discount." + std::string(field) + " is required");
    return {};
  }
  if (!is_integer(*v) || number(*v) < 0) {
    return invalid("invalid_payload", "discount." + std::string(field) +
                                          " must be a non-negative integer (minor units)");
  }
  return {};
}

}  // namespace

Status check_discount(const Json& value) {
  if (!value.is_object()) return invalid("invalid_payload", "discount must be an object");
  const JsonObject& d = value.as_object();
  const Json* type = d.if_contains("type");
  if (!type || !type->is_string()) return invalid("invalid_payload", "discount.type is required");
  const std::string_view t = type->as_string();
  std::vector<std::string_view> effects;
  if (t == "AMOUNT") {
    if (!d.contains("amount_off_formula")) OP_TRY(non_negative_amount(d, "amount_off", true));
    OP_TRY(non_negative_amount(d, "aggregated_amount_limit", false));
    effects = {"APPLY_TO_ORDER", "APPLY_TO_ITEMS", "APPLY_TO_ITEMS_PROPORTIONALLY",
               "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY", "APPLY_TO_ITEMS_BY_QUANTITY"};
  } else if (t == "PERCENT") {
    const Json* p = d.if_contains("percent_off");
    if (!d.contains("percent_off_formula")) {
      if (!p || !json_is_number(*p) || number(*p) < 0 || number(*p) > 100) {
        return invalid("invalid_payload", "discount.percent_off must be a number from 0 to 100");
      }
    }
    OP_TRY(non_negative_amount(d, "amount_limit", false));
    OP_TRY(non_negative_amount(d, "aggregated_amount_limit", false));
    effects = {"APPLY_TO_ORDER", "APPLY_TO_ITEMS"};
  } else if (t == "FIXED") {
    if (!d.contains("fixed_amount_formula")) OP_TRY(non_negative_amount(d, "fixed_amount", true));
    effects = {"APPLY_TO_ORDER", "APPLY_TO_ITEMS"};
  } else if (t == "UNIT") {
    const Json* effect = d.if_contains("effect");
    if (effect && effect->is_string() && effect->as_string() == "ADD_MANY_ITEMS") {
      const Json* units = d.if_contains("units");
      if (!units || !units->is_array() || units->as_array().empty()) {
        return invalid("invalid_payload", "discount.units is required for ADD_MANY_ITEMS");
      }
      for (const Json& u : units->as_array()) {
        if (!u.is_object() || !u.as_object().contains("unit_type")) {
          return invalid("invalid_payload",
                         "each discount.units entry needs unit_type and unit_off");
        }
      }
      return {};
    }
    const Json* unit_type = d.if_contains("unit_type");
    if (!unit_type || !unit_type->is_string() || unit_type->as_string().empty()) {
      return invalid("invalid_payload", "discount.unit_type is required for UNIT discounts");
    }
    if (!d.contains("unit_off_formula")) {
      const Json* off = d.if_contains("unit_off");
      if (!off || !is_integer(*off) || number(*off) < 0) {
        return invalid("invalid_payload", "discount.unit_off must be a non-negative integer");
      }
    }
    effects = {"ADD_MISSING_ITEMS", "ADD_NEW_ITEMS", "ADD_MANY_ITEMS"};
  } else {
    return invalid("invalid_payload", "discount.type must be AMOUNT, PERCENT, FIXED or UNIT");
  }
  if (const Json* effect = d.if_contains("effect"); effect && !effect->is_null()) {
    bool ok = false;
    for (auto e : effects) ok = ok || (effect->is_string() && effect->as_string() == e);
    if (!ok) {
      return invalid("invalid_payload",
                     "discount.effect is not valid for a " + std::string(t) + " discount");
    }
  }
  return {};
}

Status check_validity_timeframe(const Json& v) {
  if (v.is_null()) return {};
  if (!v.is_object()) return invalid("invalid_payload", "validity_timeframe must be an object");
  for (const char* field : {"interval", "duration"}) {
    const Json* f = v.as_object().if_contains(field);
    if (f && !(f->is_string() && is_iso_duration(f->as_string()))) {
      return invalid("invalid_payload",
                     std::string("validity_timeframe.") + field + " must be an ISO 8601 duration");
    }
  }
  return {};
}

Status check_validity_day_of_week(const Json& v) {
  if (v.is_null()) return {};
  if (!v.is_array()) return invalid("invalid_payload", "validity_day_of_week must be an array");
  for (const Json& d : v.as_array()) {
    if (!is_integer(d) || number(d) < 0 || number(d) > 6) {
      return invalid("invalid_payload", "validity_day_of_week holds days 0 (Sunday) to 6");
    }
  }
  return {};
}

Status check_validity_hours(const Json& v) {
  if (v.is_null()) return {};
  const Json* daily = v.is_object() ? v.as_object().if_contains("daily") : nullptr;
  if (!daily || !daily->is_array()) {
    return invalid("invalid_payload", "validity_hours must be {daily: [...]}");
  }
  for (const Json& period : daily->as_array()) {
    if (!period.is_object())
      return invalid("invalid_payload", "validity_hours.daily holds objects");
    const auto& p = period.as_object();
    if (!p.contains("start_time") || !is_hh_mm(p.at("start_time")) ||
        !p.contains("expiration_time") || !is_hh_mm(p.at("expiration_time"))) {
      return invalid("invalid_payload",
                     "validity_hours.daily[] needs start_time and expiration_time as HH:mm");
    }
    if (const Json* days = p.if_contains("days_of_week")) OP_TRY(check_validity_day_of_week(*days));
  }
  return {};
}

Status check_metadata(const Json& v) {
  if (v.is_null() || v.is_object()) return {};
  return invalid("invalid_payload", "metadata must be an object");
}

Result<CodeConfig> code_config_from_json(const Json& v) {
  CodeConfig c;
  if (v.is_null()) return c;
  if (!v.is_object()) {
    return Error{
        400, "invalid_code_config", "Invalid code config", "code_config must be an object", {}, {}};
  }
  const JsonObject& o = v.as_object();
  auto text = [&](const char* field, std::string& out) -> Status {
    const Json* f = o.if_contains(field);
    if (!f || f->is_null()) return {};
    if (!f->is_string()) {
      return Error{400,
                   "invalid_code_config",
                   "Invalid code config",
                   std::string("code_config.") + field + " must be a string",
                   {},
                   {}};
    }
    out = std::string(f->as_string());
    return {};
  };
  OP_TRY(text("charset", c.charset));
  OP_TRY(text("prefix", c.prefix));
  OP_TRY(text("postfix", c.postfix));
  OP_TRY(text("pattern", c.pattern));
  if (const Json* len = o.if_contains("length"); len && !len->is_null()) {
    if (!is_integer(*len)) {
      return Error{400,
                   "invalid_code_config",
                   "Invalid code config",
                   "code_config.length must be an integer",
                   {},
                   {}};
    }
    c.length = static_cast<int>(std::min(1e6, std::max(-1.0, number(*len))));
  }
  OP_TRY(c.validate());
  return c;
}

JsonObject code_config_to_json(const CodeConfig& c) {
  JsonObject o;
  o["length"] = c.random_characters();
  o["charset"] = c.charset;
  if (!c.prefix.empty()) o["prefix"] = c.prefix;
  if (!c.postfix.empty()) o["postfix"] = c.postfix;
  if (!c.pattern.empty()) o["pattern"] = c.pattern;
  return o;
}

Status check_code(std::string_view code) {
  if (code.empty() || code.size() > static_cast<size_t>(CodeConfig::kMaxCodeLength)) {
    return invalid("invalid_voucher", "code must be 1 to 100 characters");
  }
  if (code.front() == ' ' || code.back() == ' ') {
    return invalid("invalid_voucher", "code must not start or end with a space");
  }
  for (char c : code) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return invalid("invalid_voucher", "code must not contain control characters");
    }
  }
  return {};
}

}  // namespace openpromo
