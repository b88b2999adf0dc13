#include "store/validation_count_repository.h"

#include <vector>

#include "store/scope_sql.h"

namespace openpromo {

Status ValidationCountRepository::add(const std::string& project_id, const std::string& campaign_id,
                                      int64_t day, const ValidationCounts& c) {
  OP_TRY(tx_.query(
      "INSERT INTO validation_counts (project_id, campaign_id, day, validations, succeeded,"
      " failed) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, campaign_id, day) DO UPDATE"
      " SET validations = validation_counts.validations + excluded.validations,"
      " succeeded = validation_counts.succeeded + excluded.succeeded,"
      " failed = validation_counts.failed + excluded.failed",
      {project_id, campaign_id, day, c.validations, c.succeeded, c.failed}));
  return {};
}

Result<ValidationCounts> ValidationCountRepository::sum(const Scope& scope,
                                                        const std::string& campaign_id,
                                                        std::optional<Instant> from,
                                                        std::optional<Instant> to) {
  const sql::Scoped s(scope);
  std::string where = s.where() + " AND campaign_id = ?";
  std::vector<sql::Value> params = s.params({campaign_id});
  if (from) {
    where += " AND day >= ?";
    params.emplace_back(day_of(*from));
  }
  if (to) {
    // `to` is exclusive: a day counts when it starts before it.
    where += " AND day * 86400000 < ?";
    params.emplace_back(to->millis);
  }
  // PostgreSQL sums BIGINTs as NUMERIC: cast back, as SQLite already answers.
  OP_ASSIGN(auto rs, tx_.query("SELECT CAST(COALESCE(SUM(validations), 0) AS BIGINT),"
                               " CAST(COALESCE(SUM(succeeded), 0) AS BIGINT),"
                               " CAST(COALESCE(SUM(failed), 0) AS BIGINT) FROM validation_counts"
                               " WHERE " +
                                   where,
                               params));
  const sql::Row& r = rs.rows.at(0);
  return ValidationCounts{r.integer(0), r.integer(1), r.integer(2)};
}

}  // namespace openpromo
