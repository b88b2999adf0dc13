#include "api/router.h"

#include <gtest/gtest.h>

namespace openpromo::api {
namespace {

Router<int> make_router() {
  Router<int> r;
  r.add("GET", "/v1/categories", 1);
  r.add("POST", "/v1/categories", 2);
  r.add("GET", "/v1/categories/{categoryId}", 3);
  r.add("DELETE", "/v1/categories/{categoryId}", 4);
  r.add("GET", "/health", 5);
  return r;
}

TEST(Router, MatchesLiteralAndParameterRoutes) {
  auto r = make_router();
  auto m = r.match("GET", "/v1/categories/cat_123");
  ASSERT_TRUE(m.target);
  EXPECT_EQ(*m.target, 3);
  EXPECT_EQ(*m.pattern, "/v1/categories/{categoryId}");
  EXPECT_EQ(m.params.get("categoryId"), "cat_123");
  EXPECT_EQ(*r.match("POST", "/v1/categories").target, 2);
  EXPECT_EQ(*r.match("GET", "/health").target, 5);
}

TEST(Router, IgnoresOneTrailingSlash) {
  auto r = make_router();
  ASSERT_TRUE(r.match("POST", "/v1/categories/").target);
  EXPECT_EQ(*r.match("POST", "/v1/categories/").target, 2);
  EXPECT_EQ(*r.match("GET", "/v1/categories/abc/").target, 3);
  EXPECT_FALSE(r.match("POST", "/v1/categories//").target);
}

TEST(Router, DecodesParameters) {
  auto r = make_router();
  auto m = r.match("GET", "/v1/categories/a%20b+c%2Fd");
  ASSERT_TRUE(m.target);
  EXPECT_EQ(m.params.get("categoryId"), "a b+c/d");
  auto bad = r.match("GET", "/v1/categories/a%2");
  EXPECT_FALSE(bad.target);
  EXPECT_TRUE(bad.bad_encoding);
}

TEST(Router, ReportsAllowedMethodsForKnownPaths) {
  auto r = make_router();
  auto m = r.match("PATCH", "/v1/categories/x");
  EXPECT_FALSE(m.target);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "DELETE"}));
  auto none = r.match("GET", "/v1/unknown");
  EXPECT_FALSE(none.target);
  EXPECT_TRUE(none.allowed_methods.empty());
  EXPECT_FALSE(r.match("GET", "/v1/categories/x/y").target);
}

}  // namespace
}  // namespace openpromo::api
