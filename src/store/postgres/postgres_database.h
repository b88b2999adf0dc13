// PostgreSQL driver on libpq: a pool of connections to one database.
//
// Statements are prepared once per connection (named, cached by SQL text) with `?` placeholders
// rewritten to `$n`. Parameters travel as text and PostgreSQL infers their types from context.
//
// Isolation levels, chosen deliberately:
// - writes run at READ COMMITTED: every limit is enforced by a guarded single-row UPDATE
//   (`... WHERE redeemed < quantity`), which PostgreSQL re-checks against the newest committed row
//   version after waiting on a concurrent writer, so no counter is over-spent and no transaction
//   has to be retried for serialization failures;
// - multi-statement reads (a list's count and page) run at REPEATABLE READ READ ONLY, so both
//   queries see one snapshot.
//
// Pipeline mode is not used: the hot path (validation) reads one voucher row per redeemable and,
// with LISTEN/NOTIFY keeping catalog snapshots fresh, nothing else, so there are no independent
// statements to batch; writes depend on what they read. Redemption, which writes several
// counters per request, is where it may pay off.
//
// One extra connection per node LISTENs for catalog changes (listen(); see docs/OPERATIONS.md).
#pragma once

#include <memory>
#include <string>

#include "store/sql.h"

namespace openpromo::sql {

struct PostgresOptions {
  std::string conninfo;  // a postgresql:// URL or a libpq key=value string
  int pool_size = 4;
};

Result<std::unique_ptr<Database>> open_postgres(const PostgresOptions& options);

// `?` -> `$1`, `$2`, ... outside quoted literals and identifiers. Exposed for tests.
std::string to_postgres_placeholders(std::string_view sql, int* count = nullptr);

}  // namespace openpromo::sql
