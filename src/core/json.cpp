#include "core/json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace openpromo {

std::string to_json_text(const Json& value) {
  return boost::json::serialize(value);
}

Result<Json> parse_json_text(std::string_view text) {
  boost::system::error_code ec;
  Json v = boost::json::parse(text, ec);
  if (ec) return Error::internal("stored JSON is corrupt: " + ec.message());
  return v;
}

void merge_metadata(JsonObject& definition, const Json& patch) {
  if (!patch.is_object()) return;
  JsonObject merged = definition.contains("metadata") && definition.at("metadata").is_object()
                          ? definition.at("metadata").as_object()
                          : JsonObject{};
  for (const auto& kv : patch.as_object()) {
    if (kv.value().is_null()) {
      merged.erase(kv.key());
    } else {
      merged[kv.key()] = kv.value();
    }
  }
  definition["metadata"] = std::move(merged);
}

}  // namespace openpromo
