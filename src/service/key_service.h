// KeyService: projects and API keys: creating keys, bootstrapping the first one, and
// authenticating requests.
//
// Tokens are shown once, when created, and stored only as SHA-256 digests. Authentication
// compares digests in constant time and answers every failure the same way (401 unauthorized),
// so a caller cannot tell an unknown application id from a wrong token. The key and its project
// are read in one query: the principal carries the project's settings.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "model/api_key.h"
#include "model/area.h"
#include "model/project.h"
#include "store/project_repository.h"
#include "store/store.h"

namespace openpromo {

struct NewKey {
  ApiKey key;
  std::string token;  // the secret; never stored, never logged
};

class KeyService {
 public:
  explicit KeyService(Store& store) : store_(store) {}

  // The default project, created by the first node that starts.
  Result<Project> ensure_default_project();
  // Another project (tenant), e.g. for a second shop on one server.
  Result<Project> create_project(std::string name);

  // The settings a project's admin may change (PUT /management/v1/projects/{id}); absent fields
  // stay as they are.
  struct ProjectSettings {
    std::optional<std::string> name, time_zone, currency;
    std::optional<int> week_start;  // 0 = Sunday ... 6 = Saturday (ours)
    std::optional<bool> client_redeem_enabled;
    std::optional<bool> client_publish_enabled;
  };
  Result<Project> project(const Principal& who);
  Result<Project> update_project(const Principal& who, const ProjectSettings& settings);

  // A restricted key (spec 14.2) needs `assignments` (1 to 100 areas, stores or all-stores-of
  // areas of the project); the other roles take none. Key and assignments are one unit.
  // `also` runs in the same write unit once the key row is in (a dashboard user's row).
  Result<NewKey> create(const Project& project, KeyKind kind, Role role,
                        std::vector<std::string> allowed_origins,
                        const AssignmentIds& assignments = {},
                        const std::function<Status(UnitOfWork&, const ApiKey&)>& also = {});
  // The same by an admin of the project (POST /management/v1/projects/{id}/api-keys, ours).
  Result<NewKey> create_for(const Principal& who, KeyKind kind, Role role,
                            std::vector<std::string> allowed_origins,
                            const AssignmentIds& assignments);

  // What start-up did about keys, for the caller to report.
  struct Bootstrap {
    std::optional<NewKey> generated;  // set when a first key was generated (print it once)
    bool bootstrap_key_created = false;
    bool bootstrap_key_mismatch = false;  // the app id exists with another token: left unchanged
  };
  // With `app_id`/`token` (from OPENPROMO_BOOTSTRAP_APP_ID/TOKEN): ensure an admin server key with
  // exactly those values. Without them: generate an admin key if the project has none.
  Result<Bootstrap> bootstrap(const Project& project, std::string_view app_id,
                              std::string_view token);

  Result<Principal> authenticate_server(std::string_view app_id, std::string_view token);
  // The principal of the server key `app_id` for a caller authenticated another way (a
  // dashboard session, whose user acts through a key of its own); no token is checked here.
  Result<Principal> principal_of(std::string_view app_id);
  // A management key (`X-Management-Id` / `X-Management-Token`), acting in `project_id` (the
  // path's project; empty: none yet, e.g. listing projects). Unknown project: 404.
  Result<Principal> authenticate_management(std::string_view app_id, std::string_view token,
                                            std::string_view project_id);
  // Every project (management keys only).
  Result<std::vector<Project>> projects(const Principal& who);
  // A new project with its first server and client keys (POST /management/v1/projects).
  struct NewProject {
    Project project;
    NewKey server_key, client_key;
  };
  Result<NewProject> create_project_with_keys(const Principal& who, std::string name,
                                              const ProjectSettings& settings);

  // OAuth 2.0 (spec 4.2). A token is issued from a server or client key, for the space-separated
  // `scope` (each a name of the reference's list), lives kOAuthLifetime and is stored as a
  // digest; it acts as its key, narrowed to its scopes, and stops working when revoked or when
  // its key is gone.
  static constexpr int64_t kOAuthLifetimeSeconds = 900;
  static constexpr int64_t kMaxLiveOAuthTokens = 1000;
  struct IssuedToken {
    std::string access_token;
    OAuthToken stored;
  };
  Result<IssuedToken> issue_token(const Principal& who, std::string_view app_id,
                                  std::string_view grant_type, std::string_view scope);
  // `origin`: the request's; a token of a client key works only from that key's origins.
  Result<Principal> authenticate_bearer(std::string_view access_token, std::string_view origin);
  // The stored token for `access_token` if `who`'s project issued it (introspection).
  Result<std::optional<OAuthToken>> find_token(const Principal& who, std::string_view access_token);
  Result<bool> revoke_token(const Principal& who, std::string_view access_token);
  // Client keys are also bound to the origins they were issued for.
  Result<Principal> authenticate_client(std::string_view app_id, std::string_view token,
                                        std::string_view origin);

 private:
  // Verified keys, kept by application id for kKeyCacheLifetime after they were read, so a
  // request does not read its key and project from the database each time (issue 19). Only
  // keys that exist are kept (a flood of unknown ids cannot fill it); the token is still hashed
  // and compared on every request. A project settings change clears it on this node at once;
  // other nodes read the change (and a key removed from the database) within the lifetime.
  struct VerifiedKey {
    ApiKey key;
    Project project;
    std::chrono::steady_clock::time_point read_at;
  };
  static constexpr std::chrono::seconds kKeyCacheLifetime{1};
  static constexpr size_t kMaxCachedKeys = 10000;
  Result<std::shared_ptr<const VerifiedKey>> find_key(std::string_view app_id);
  void forget_keys();

  Result<Principal> principal_from(const VerifiedKey& found);
  Result<Principal> verify(std::string_view app_id, std::string_view token, KeyKind kind,
                           std::vector<std::string>* origins);
  // A restricted key's assignments: read once per key and kept, since they are fixed when the
  // key is created (no route changes them, and their areas and stores cannot be deleted while
  // assigned), so every node may keep them without invalidation.
  Status load_grants(UnitOfWork& tx, Principal& who);
  Store& store_;
  std::mutex keys_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const VerifiedKey>> keys_;
  std::mutex grants_mutex_;
  std::unordered_map<std::string, std::pair<std::shared_ptr<const AreaGrants>, std::string>>
      grants_;  // key id -> (grants, its one store)
};

// 401, the one answer to every authentication failure.
Error unauthorized(std::string details);
// 403 when an authenticated key's role does not allow the action.
Error missing_permission(std::string details);
Status require_admin(const Principal& principal, std::string_view action);

}  // namespace openpromo
