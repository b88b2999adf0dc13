// Projects and API keys: the tenants and the credentials that open them.
//
// These are the only lookups that run before a scope exists: a key is found by its public
// application id (authentication), the default project by its flag (start-up). Everything a key
// then reaches is scoped by its project.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "model/api_key.h"
#include "model/project.h"
#include "store/unit_of_work.h"

namespace openpromo {

// A key with the project it opens, read together on every request.
struct KeyWithProject {
  ApiKey key;
  Project project;
};

class ProjectRepository {
 public:
  explicit ProjectRepository(UnitOfWork& tx) : tx_(tx) {}

  // The default project (created once, whichever node starts first). REQUIRES: a write unit.
  Result<Project> ensure_default(Instant now);
  Status insert(const Project& project);
  // Writes the settings (name, time zone, currency, week start, client redemption).
  Status update(const Project& project);
  Result<std::optional<Project>> find(const Scope& scope);

 private:
  UnitOfWork& tx_;
};

class ApiKeyRepository {
 public:
  explicit ApiKeyRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const ApiKey& key);
  // The same, but an application id that exists is `false` (a node that lost a start-up race).
  Result<bool> insert_if_new(const ApiKey& key);
  // Authentication: the key with this public application id and its project, in one query.
  Result<std::optional<KeyWithProject>> find_by_app_id(std::string_view app_id);
  Result<int64_t> count(const Scope& scope);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
