#include "api/multipart.h"

#include <gtest/gtest.h>

namespace openpromo::api {
namespace {

TEST(Multipart, FindsTheBoundary) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=----abc123"), "----abc123");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"q q\""), "q q");
  EXPECT_FALSE(multipart_boundary("application/json"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
}

TEST(Multipart, SplitsParts) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\nCode\r\nA\r\n\r\n--XyZ--\r\n";
  auto parts = parse_multipart(body, "XyZ");
  ASSERT_TRUE(parts.ok()) << parts.error().details;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "note");
  EXPECT_EQ((*parts)[0].data, "hello");
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ((*parts)[1].filename, "v.csv");
  EXPECT_EQ((*parts)[1].content_type, "text/csv");
  EXPECT_EQ((*parts)[1].data, "Code\r\nA\r\n");
  EXPECT_FALSE(parse_multipart("no delimiter here", "XyZ").ok());
  EXPECT_FALSE(
      parse_multipart("--XyZ\r\nContent-Disposition: form-data\r\n\r\nunterminated", "XyZ").ok());
}

TEST(Csv, QuotesNewlinesAndEmptyLines) {
  auto rows = parse_csv(
      "\xEF\xBB\xBF"
      "Code,Info\r\nA,\"x, \"\"y\"\"\"\n\nB,\"two\nlines\"\nC,\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"Code", "Info"}));
  EXPECT_EQ((*rows)[1], (std::vector<std::string>{"A", "x, \"y\""}));
  EXPECT_EQ((*rows)[2], (std::vector<std::string>{"B", "two\nlines"}));
  EXPECT_EQ((*rows)[3], (std::vector<std::string>{"C", ""}));
  EXPECT_FALSE(parse_csv("A,\"open").ok());
}

}  // namespace
}  // namespace openpromo::api
