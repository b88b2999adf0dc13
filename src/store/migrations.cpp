#include "store/migrations.h"

#include <array>

namespace openpromo {
namespace {

// Timestamps are milliseconds since the Unix epoch (BIGINT); booleans are 0/1 integers.
constexpr std::string_view kFoundation = R"sql(
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  currency TEXT NOT NULL,
  case_sensitive_codes INTEGER NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX projects_single_default ON projects (is_default) WHERE is_default = 1;

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  kind TEXT NOT NULL,
  role TEXT NOT NULL,
  app_id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL,
  allowed_origins TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX api_keys_project ON api_keys (project_id);

CREATE TABLE categories (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  name TEXT NOT NULL,
  hierarchy BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
  UNIQUE (project_id, name)
);
CREATE INDEX categories_project_created ON categories (project_id, created_at, id);
)sql";

constexpr std::array<Migration, 1> kMigrations{{
    {1, "foundation: projects, api keys, categories", kFoundation},
}};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

}  // namespace openpromo
