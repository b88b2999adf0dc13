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

}  // namespace openpromo
