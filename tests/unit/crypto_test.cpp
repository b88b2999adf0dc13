#include "core/crypto.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace openpromo {
namespace {

TEST(Crypto, IdsArePrefixedRandomHex) {
  std::set<std::string> seen;
  const std::regex shape("cat_[0-9a-f]{24}");
  for (int i = 0; i < 2000; ++i) {
    std::string id = new_id("cat_");
    ASSERT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(Crypto, IdsSortInCreationOrderEvenWithinAMillisecond) {
  std::string previous = new_id("v_");
  for (int i = 0; i < 10000; ++i) {
    std::string next = new_id("v_");
    ASSERT_LT(previous, next);
    previous = std::move(next);
  }
}

TEST(Crypto, UuidsAreVersion4) {
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 200; ++i) {
    const std::string u = new_uuid();
    EXPECT_TRUE(std::regex_match(u, shape)) << u;
  }
}

TEST(Crypto, Sha256MatchesKnownVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, ConstantTimeEquals) {
  EXPECT_TRUE(constant_time_equals("token", "token"));
  EXPECT_FALSE(constant_time_equals("token", "tokeN"));
  EXPECT_FALSE(constant_time_equals("token", "token2"));
  EXPECT_TRUE(constant_time_equals("", ""));
}

}  // namespace
}  // namespace openpromo
