#include "api/json_writer.h"

#include <boost/json/serializer.hpp>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace openpromo::api {

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_.push_back('{');
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_.push_back('}');
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separate();
  out_.push_back('[');
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_.push_back(']');
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  escaped(name);
  out_.push_back(':');
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view text) {
  separate();
  escaped(text);
  comma_ = true;
  return *this;
}

template <class Integer>
JsonWriter& JsonWriter::integer(Integer n) {
  separate();
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  out_.append(buf, end);
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::number(int64_t n) {
  return integer(n);
}
JsonWriter& JsonWriter::number(uint64_t n) {
  return integer(n);
}

JsonWriter& JsonWriter::boolean(bool b) {
  separate();
  out_.append(b ? "true" : "false");
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_.append("null");
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(const Json& v) {
  separate();
  // Small scalars are common (metadata values, ids): skip the serializer for them.
  if (v.is_string()) {
    escaped(v.get_string());
  } else if (v.is_int64()) {
    comma_ = false;
    number(v.get_int64());
  } else if (v.is_null()) {
    out_.append("null");
  } else if (v.is_bool()) {
    out_.append(v.get_bool() ? "true" : "false");
  } else {
    boost::json::serializer sr;
    sr.reset(&v);
    char buf[2048];
    while (!sr.done()) out_.append(sr.read(buf));
  }
  comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::members(const JsonObject& o) {
  for (const auto& kv : o) key(kv.key()).value(kv.value());
  return *this;
}

JsonWriter& JsonWriter::field(std::string_view name, const JsonObject& o) {
  key(name).begin_object();
  members(o);
  return end_object();
}

namespace {

// True when none of the eight bytes of `w` needs an escape (below 0x20, '"' or '\\'): the
// classic "has a byte less than n / equal to zero" word tricks. They may flag a clean byte only
// next to one that needs escaping, which the caller then looks at one by one anyway.
bool plain_word(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  const uint64_t control = (w - kOnes * 0x20) & ~w & kHighs;
  return (control | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\'))) == 0;
}

}  // namespace

// The escapes Boost.JSON's serializer writes: the two-character forms where JSON has one, \u00XX
// for other control characters, everything else (UTF-8 included) as it is.
void JsonWriter::escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out_.push_back('"');
  const char* data = text.data();
  const size_t size = text.size();
  size_t run = 0;  // start of the stretch that needs no escape
  size_t i = 0;
  while (i < size) {
    if (i + 8 <= size) {
      uint64_t word;
      std::memcpy(&word, data + i, 8);
      if (plain_word(word)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(data[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out_.append(data + run, i - run);
    run = ++i;
    out_.push_back('\\');
    switch (c) {
      case '"':
        out_.push_back('"');
        break;
      case '\\':
        out_.push_back('\\');
        break;
      case '\b':
        out_.push_back('b');
        break;
      case '\f':
        out_.push_back('f');
        break;
      case '\n':
        out_.push_back('n');
        break;
      case '\r':
        out_.push_back('r');
        break;
      case '\t':
        out_.push_back('t');
        break;
      default:
        out_.append("u00");
        out_.push_back(kHex[c >> 4]);
        out_.push_back(kHex[c & 0xf]);
    }
  }
  out_.append(data + run, size - run);
  out_.push_back('"');
}

}  // namespace openpromo::api
