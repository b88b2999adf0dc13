// Dashboard users (issue 20, spec 18.7): people who sign in to /dashboard/ and /demo/.
//
// A user acts through an API key of its own, made with the user and never shown: admin and user
// map to keys of those roles, restricted to a restricted key with the same area and store
// assignments, and viewer to a user key that the dashboard session lets only read and export.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "model/api_key.h"

namespace openpromo {

enum class DashboardRole { kAdmin, kUser, kViewer, kRestricted };

std::string_view to_string(DashboardRole role);
std::optional<DashboardRole> dashboard_role_from_string(std::string_view text);
// The role of the key a user acts through.
Role key_role_of(DashboardRole role);

struct DashboardUser {
  std::string id;  // usr_...
  std::string project_id;
  std::string email;  // lowercase
  DashboardRole role = DashboardRole::kViewer;
  std::string password_hash;  // crypto_pwhash string
  std::string key_id;
  std::string key_app_id;
  Instant created_at;
};

// A signed-in browser: the cookie's digest, and the token the page sends with every write.
struct DashboardSession {
  std::string token_hash;
  std::string user_id;
  std::string csrf_token;
  Instant created_at;
  Instant expires_at;
};

}  // namespace openpromo
