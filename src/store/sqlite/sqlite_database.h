// SQLite driver: a pool of connections to one database file in WAL mode.
//
// Every connection runs with foreign keys on, a busy timeout (writers wait for each other
// instead of failing), synchronous=NORMAL (a committed transaction survives a process crash; FULL
// on request also a power loss) and case-sensitive LIKE (to match PostgreSQL). Statements are
// prepared once per connection and cached by their SQL text.
#pragma once

#include <memory>
#include <string>

#include "store/sql.h"

namespace openpromo::sql {

struct SqliteOptions {
  std::string path;  // file path; its parent directory is created if missing
  int pool_size = 4;
  int busy_timeout_ms = 10000;
  // synchronous=FULL instead of NORMAL: every commit also survives a power loss (an fsync of
  // the WAL per commit). URL: sqlite:PATH?synchronous=full.
  bool synchronous_full = false;
};

Result<std::unique_ptr<Database>> open_sqlite(const SqliteOptions& options);

}  // namespace openpromo::sql
