#include "service/definitions.h"

#include "core/time.h"
#include "engine/definitions.h"

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

}  // namespace

Status check_discount(const Json& value) {
  OP_TRY(engine::parse_discount(value, /*has_targets=*/false));
  return {};
}

Status check_window(std::string_view key, const Json& value) {
  JsonObject one;
  one[key] = value;
  OP_TRY(engine::parse_time_limits(one));
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
