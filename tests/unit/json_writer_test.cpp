// JsonWriter writes the text Boost.JSON's serializer writes for the same values, so a response
// written directly reads exactly like one built as a tree.
#include "api/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <limits>
#include <random>

namespace openpromo::api {
namespace {

std::string written(const std::function<void(JsonWriter&)>& write) {
  std::string out;
  JsonWriter w(out);
  write(w);
  return out;
}

TEST(JsonWriterTest, EscapesEveryStringAsBoostJsonDoes) {
  std::string all;  // every ASCII byte, then multi-byte UTF-8
  for (int c = 1; c < 128; ++c) all.push_back(static_cast<char>(c));
  all += std::string("\0mid", 4) + "é€😀\"\\/";
  EXPECT_EQ(written([&](JsonWriter& w) { w.string(all); }),
            boost::json::serialize(boost::json::string(all)));
  // One character that needs escaping at every position of plain text, UTF-8 around it: the
  // writer scans eight bytes at a time and must find it wherever it falls.
  for (const char special : std::string("\"\\\n\x01\x1f", 5)) {
    for (size_t len = 1; len <= 40; ++len) {
      for (size_t at = 0; at < len; ++at) {
        std::string s(len, 'a');
        s[at] = special;
        if (at + 3 < len) s.replace(at + 1, 2, "\xc3\xa9");
        EXPECT_EQ(written([&](JsonWriter& w) { w.string(s); }),
                  boost::json::serialize(boost::json::string(s)));
      }
    }
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string s;
    const int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(rng() % 128));
    EXPECT_EQ(written([&](JsonWriter& w) { w.string(s); }),
              boost::json::serialize(boost::json::string(s)))
        << "round " << round;
  }
}

TEST(JsonWriterTest, NumbersAndLiteralsReadBackExactly) {
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max();
  const std::string text = written([&](JsonWriter& w) {
    w.begin_array().number(lo).number(hi).number(uint64_t{18446744073709551615ULL});
    w.number(0).boolean(true).boolean(false).null().end_array();
  });
  EXPECT_EQ(text,
            "[-9223372036854775808,9223372036854775807,18446744073709551615,0,true,false,null]");
}

TEST(JsonWriterTest, NestedObjectsArraysAndEmbeddedTreesMatchTheSerializer) {
  const Json tree = boost::json::parse(
      R"({"a":[1,2.5,{"b":null,"c":"x\ny"}],"d":{},"e":[],"f":-3,"g":1e300,"h":true})");
  const std::string text = written([&](JsonWriter& w) {
    w.begin_object();
    w.field("id", "v1").field("tree", tree).field("object", tree.as_object());
    w.key("empty").begin_object().end_object();
    w.key("list").begin_array().begin_object().field("n", 1).end_object();
    w.begin_array().end_array().raw(R"({"pre":"written"})").end_array();
    w.null_field("none").end_object();
  });
  boost::json::object expected;
  expected["id"] = "v1";
  expected["tree"] = tree;
  expected["object"] = tree;
  expected["empty"] = boost::json::object();
  expected["list"] = boost::json::array{boost::json::object{{"n", 1}}, boost::json::array(),
                                        boost::json::object{{"pre", "written"}}};
  expected["none"] = nullptr;
  EXPECT_EQ(text, boost::json::serialize(expected));
}

}  // namespace
}  // namespace openpromo::api
