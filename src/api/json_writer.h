// JsonWriter: appends JSON text to a string as it is produced, for the responses on the hot path
// (validations): building a boost::json tree for every response and then serializing and freeing
// it was the largest cost of a validation under load (issue 19's profile). Produces the same text
// boost::json::serialize would for the same members in the same order (the same string escapes;
// trees embedded with value() are serialized by Boost.JSON itself).
//
// The writer tracks only whether a comma is due, so the caller is responsible for the structure:
// key() before each member value inside an object, begin/end in pairs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.h"

namespace openpromo::api {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The name of the next member (its value follows).
  JsonWriter& key(std::string_view name);

  JsonWriter& string(std::string_view text);
  JsonWriter& number(int64_t n);
  JsonWriter& number(uint64_t n);
  JsonWriter& number(int n) { return number(static_cast<int64_t>(n)); }
  JsonWriter& boolean(bool b);
  JsonWriter& null();
  // Any tree (metadata, definitions kept as JSON), serialized in place.
  JsonWriter& value(const Json& v);
  // JSON text written earlier (by another JsonWriter), as one value.
  JsonWriter& raw(std::string_view json) {
    separate();
    out_.append(json);
    comma_ = true;
    return *this;
  }
  // The members of `o` inside the object being written (no braces).
  JsonWriter& members(const JsonObject& o);

  // key(name) followed by the value.
  JsonWriter& field(std::string_view name, std::string_view text) { return key(name).string(text); }
  JsonWriter& field(std::string_view name, const char* text) { return key(name).string(text); }
  JsonWriter& field(std::string_view name, const std::string& text) {
    return key(name).string(text);
  }
  JsonWriter& field(std::string_view name, int64_t n) { return key(name).number(n); }
  JsonWriter& field(std::string_view name, int n) { return key(name).number(n); }
  JsonWriter& field(std::string_view name, bool b) { return key(name).boolean(b); }
  JsonWriter& field(std::string_view name, const Json& v) { return key(name).value(v); }
  JsonWriter& field(std::string_view name, const JsonObject& o);
  JsonWriter& null_field(std::string_view name) { return key(name).null(); }

 private:
  void separate() {
    if (comma_) out_.push_back(',');
    comma_ = false;
  }
  void escaped(std::string_view text);
  template <class Integer>
  JsonWriter& integer(Integer n);

  std::string& out_;
  bool comma_ = false;  // a value was just completed: the next key or element needs a comma
};

}  // namespace openpromo::api
