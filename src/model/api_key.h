// API keys and the principal a request acts as.
//
// A server key (`X-App-Id` + `X-App-Token`) may call the whole /v1 API; a client key
// (`X-Client-Application-Id` + `X-Client-Token`) only the /client/v1 subset, and only from its
// allowed origins. Tokens are never stored: only their SHA-256 digest is.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "model/project.h"
#include "model/scope.h"

namespace openpromo {

// Management keys (`X-Management-Id` + `X-Management-Token`) open the /management/v1 API of every
// project on this server: creating, listing and configuring projects.
enum class KeyKind { kServer, kClient, kManagement };

// Admin may do everything in its project; User may read and edit day-to-day objects but not
// delete shared definitions. Restricted (spec 14.2) has a user's rights, narrowed to the
// campaigns its area and store assignments reach (a store's point of sale, a market's team).
enum class Role { kAdmin, kUser, kRestricted };

std::string_view to_string(KeyKind kind);
std::string_view to_string(Role role);
std::optional<KeyKind> key_kind_from_string(std::string_view text);
std::optional<Role> role_from_string(std::string_view text);

struct ApiKey {
  std::string id;  // key_...
  std::string project_id;
  KeyKind kind = KeyKind::kServer;
  Role role = Role::kAdmin;
  std::string app_id;      // public half, sent as X-App-Id / X-Client-Application-Id
  std::string token_hash;  // sha256 hex of the secret half
  std::vector<std::string> allowed_origins;  // client keys: exact origins, or "*"
  Instant created_at;
};

// Who a request acts as, once authenticated, and in which request (events record both).
struct Principal {
  std::string project_id;
  std::string key_id;
  KeyKind kind = KeyKind::kServer;
  Role role = Role::kAdmin;
  std::string request_id;  // v-...; empty for background work
  // The project's settings (time zone, code case sensitivity), read with the key.
  Project project;
  // Set when the request came with an OAuth token (`Authorization: Bearer`): the scopes it was
  // issued for (spec 4.2), which the App checks against the path.
  std::optional<std::vector<std::string>> oauth_scopes;

  // A restricted key's assignments, read with the key (never null for a restricted key: no
  // assignment reaches nothing).
  std::shared_ptr<const AreaGrants> grants;
  // The store a restricted key is assigned to when it is assigned to exactly one (a point of
  // sale): recorded on its redemptions and publications for per-store reports.
  std::string area_store_id;

  // What this caller may see and change: every repository call is scoped by it.
  Scope scope() const {
    if (role != Role::kRestricted) return Scope::of_project(project_id);
    return Scope{project_id, grants ? grants : std::make_shared<const AreaGrants>()};
  }
};

}  // namespace openpromo
