#include <gtest/gtest.h>

#include "store/postgres/postgres_database.h"

namespace openpromo::sql {
namespace {

TEST(PostgresPlaceholders, NumbersQuestionMarksOutsideLiterals) {
  int n = 0;
  EXPECT_EQ(to_postgres_placeholders("SELECT a FROM t WHERE a = ? AND b IN (?, ?)", &n),
            "SELECT a FROM t WHERE a = $1 AND b IN ($2, $3)");
  EXPECT_EQ(n, 3);
  EXPECT_EQ(to_postgres_placeholders("x LIKE ? ESCAPE '\\' AND y = '?' AND \"q?\" = ?", &n),
            "x LIKE $1 ESCAPE '\\' AND y = '?' AND \"q?\" = $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(to_postgres_placeholders("SELECT 'it''s ?', ?", &n), "SELECT 'it''s ?', $1");
  EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace openpromo::sql
