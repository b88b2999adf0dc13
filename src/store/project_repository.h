// Projects and API keys: the tenants and the credentials that open them.
//
// These are the only lookups that run before a scope exists: a key is found by its public
// application id (authentication), the default project by its flag (start-up). Everything a key
// then reaches is scoped by its project.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  // Every project on this server (management keys), oldest first.
  Result<std::vector<Project>> all();

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

// An OAuth token as stored: its digest, never the token.
struct OAuthToken {
  std::string id;  // oat_...
  std::string project_id;
  std::string app_id;  // the key it was issued from (`client_id`)
  std::string token_hash;
  std::string scope;  // space-separated, as issued
  Instant expires_at;
  std::optional<Instant> revoked_at;
  Instant created_at;
};

class OAuthTokenRepository {
 public:
  explicit OAuthTokenRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const OAuthToken& token);
  Result<std::optional<OAuthToken>> find_by_hash(std::string_view token_hash);
  // Tokens issued from key `app_id` not yet expired nor revoked at `now` (the issue limit counts
  // them per key, so a public client key cannot use up a server key's allowance).
  Result<int64_t> count_live(const Scope& scope, std::string_view app_id, Instant now);
  // Deletes up to `limit` tokens expired before `now`.
  Result<int64_t> sweep(Instant now, int64_t limit);
  // Revokes the project's token with this digest; false when there is none.
  Result<bool> revoke(const Scope& scope, std::string_view token_hash, Instant now);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
