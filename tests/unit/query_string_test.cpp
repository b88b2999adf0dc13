#include "api/query_string.h"

#include <gtest/gtest.h>

namespace openpromo::api {
namespace {

TEST(QueryString, SplitsBracketNamesAndDecodes) {
  auto q = QueryParams::parse(
      "filters%5Bjunction%5D=and&filters[code][conditions][%24in][0]=A%2BB&limit=10&name=a+b&"
      "flag&&x=%zz");
  const auto& all = q.all();
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[0].path, (std::vector<std::string>{"filters", "junction"}));
  EXPECT_EQ(all[0].value, "and");
  EXPECT_EQ(all[1].path, (std::vector<std::string>{"filters", "code", "conditions", "$in", "0"}));
  EXPECT_EQ(all[1].value, "A+B");
  EXPECT_EQ(q.get("limit"), "10");
  EXPECT_EQ(q.get("name"), "a b");
  EXPECT_EQ(q.get("flag"), "");
  EXPECT_EQ(q.get("x"), "%zz");  // malformed escape kept as sent
  EXPECT_FALSE(q.get("missing"));
}

TEST(QueryString, UnbalancedBracketsStayOneName) {
  auto q = QueryParams::parse("a[b=1&c]d=2");
  EXPECT_EQ(q.get("a[b"), "1");
  EXPECT_EQ(q.get("c]d"), "2");
}

TEST(QueryString, PercentDecode) {
  EXPECT_EQ(percent_decode("a%20b+c", true), "a b c");
  EXPECT_EQ(percent_decode("a%20b+c", false), "a b+c");
  EXPECT_FALSE(percent_decode("%2", true));
  EXPECT_FALSE(percent_decode("%-1", true));
  EXPECT_FALSE(percent_decode("abc%", true));
}

TEST(ListQuery, Defaults) {
  auto q = parse_list_query(QueryParams::parse(""), 10);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->limit, 10);
  EXPECT_EQ(q->page, 1);
  EXPECT_EQ(q->order_field, "created_at");
  EXPECT_TRUE(q->descending) << "newest first, as Voucherify lists";
  EXPECT_FALSE(parse_list_query(QueryParams::parse("order=created_at"), 10)->descending);
  EXPECT_TRUE(q->filters.empty());
}

TEST(ListQuery, LimitBounds) {
  EXPECT_EQ(parse_list_query(QueryParams::parse("limit=1"), 10)->limit, 1);
  EXPECT_EQ(parse_list_query(QueryParams::parse("limit=100"), 10)->limit, 100);
  for (const char* bad : {"limit=0", "limit=101", "limit=-1", "limit=abc", "limit=", "limit=5x"}) {
    auto q = parse_list_query(QueryParams::parse(bad), 10);
    ASSERT_FALSE(q.ok()) << bad;
    EXPECT_EQ(q.error().code, 400);
    EXPECT_EQ(q.error().key, "invalid_query_params") << bad;
  }
}

TEST(ListQuery, PageBounds) {
  EXPECT_EQ(parse_list_query(QueryParams::parse("page=1000"), 10)->page, 1000);
  auto over = parse_list_query(QueryParams::parse("page=1001"), 10);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().key, "page_over_limit");
  EXPECT_EQ(over.error().code, 400);
  EXPECT_EQ(parse_list_query(QueryParams::parse("page=0"), 10).error().key, "invalid_query_params");
}

TEST(ListQuery, OrderCursorAndDates) {
  auto q = parse_list_query(
      QueryParams::parse("order=-hierarchy&starting_after_id=cat_1&created_at[before]=2024-01-02"
                         "&created_at[after]=2024-01-01T00:00:00Z"),
      10);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->order_field, "hierarchy");
  EXPECT_TRUE(q->descending);
  EXPECT_EQ(q->starting_after_id, "cat_1");
  ASSERT_TRUE(q->created_before && q->created_after);
  EXPECT_EQ(q->created_before->millis - q->created_after->millis, 86'400'000);
  EXPECT_FALSE(parse_list_query(QueryParams::parse("created_at[before]=yesterday"), 10).ok());
  EXPECT_FALSE(parse_list_query(QueryParams::parse("created_at[during]=2024-01-01"), 10).ok());
  EXPECT_FALSE(parse_list_query(QueryParams::parse("order=-"), 10).ok());
}

TEST(ListQuery, DeepObjectFilters) {
  auto q = parse_list_query(
      QueryParams::parse("filters[junction]=or&filters[name][conditions][$in][0]=A&"
                         "filters[name][conditions][$in][1]=B&filters[hierarchy][conditions]"
                         "[$more_than]=3&filters[metadata.seq][conditions][$is]=1"),
      10);
  ASSERT_TRUE(q.ok()) << q.error().details;
  EXPECT_TRUE(q->filters_or);
  ASSERT_EQ(q->filters.size(), 3u);
  EXPECT_EQ(q->filters[0].field, "name");
  EXPECT_EQ(q->filters[0].op, FilterOp::kIn);
  EXPECT_EQ(q->filters[0].values, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(q->filters[1].op, FilterOp::kMoreThan);
  EXPECT_EQ(q->filters[2].field, "metadata.seq");
}

TEST(ListQuery, MalformedFiltersAreRejected) {
  for (const char* bad : {"filters[name][conditions][$near]=1", "filters[name][$is]=1",
                          "filters[name]=1", "filters[junction]=xor",
                          "filters[][conditions][$is]=1", "filters[a][conditions][$is][0][1]=1"}) {
    auto q = parse_list_query(QueryParams::parse(bad), 10);
    ASSERT_FALSE(q.ok()) << bad;
    EXPECT_EQ(q.error().key, "invalid_query_params") << bad;
  }
}

}  // namespace
}  // namespace openpromo::api
