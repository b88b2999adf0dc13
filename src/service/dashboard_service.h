// DashboardService: the people who sign in to the dashboard and the demo store (issue 20).
//
// A user is created with an API key of its own in the same write unit (see
// model/dashboard_user.h), so everything the API checks for keys (role, project, area and store
// grants) holds for users unchanged. Signing in checks the password (Argon2id, libsodium) and
// opens a session: a random cookie token, stored as its SHA-256 digest, and a CSRF token the page
// must send with every write. Repeated failures for one email lock it out for a while, growing
// with each further failure; the lock-out is kept per node, in memory.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "model/api_key.h"
#include "model/area.h"
#include "model/dashboard_user.h"
#include "model/project.h"
#include "service/key_service.h"
#include "store/store.h"

namespace openpromo {

class DashboardService {
 public:
  DashboardService(Store& store, KeyService& keys) : store_(store), keys_(keys) {}

  static constexpr size_t kMinPasswordLength = 8;
  static constexpr size_t kMaxPasswordLength = 1024;
  static constexpr std::chrono::hours kSessionLifetime{12};
  static constexpr int kFreeFailures = 5;  // then each failure locks the email out

  // A restricted user needs 1 to 100 assignments; the other roles take none.
  Result<DashboardUser> create_user(const Project& project, std::string_view email,
                                    DashboardRole role, std::string_view password,
                                    const AssignmentIds& assignments);
  Result<int64_t> count_users();

  // The project's users with the areas and stores of the restricted ones (admins only).
  struct UserWithAssignments {
    DashboardUser user;
    std::vector<AccessAssignment> assignments;
  };
  static constexpr int64_t kMaxListedUsers = 1000;
  Result<std::vector<UserWithAssignments>> users(const Principal& who);

  struct SignedIn {
    DashboardUser user;
    std::string cookie_token;  // the secret; only its digest is stored
    std::string csrf_token;
    Instant expires_at;
  };
  // 401 for an unknown email or a wrong password alike; 429 while the email is locked out.
  Result<SignedIn> sign_in(std::string_view email, std::string_view password);

  struct Session {
    DashboardUser user;
    DashboardSession session;
    Principal principal;
  };
  // The live session of a cookie token; 401 when there is none.
  Result<Session> authenticate(std::string_view cookie_token);
  Status sign_out(std::string_view cookie_token);

 private:
  struct Failures {
    int count = 0;
    std::chrono::steady_clock::time_point locked_until{};
  };
  static constexpr size_t kMaxTrackedEmails = 10000;
  // Seconds left of a lock-out, or 0 after counting this attempt as a failure until it succeeds.
  int64_t begin_attempt(const std::string& email);
  void clear_failures(const std::string& email);

  Store& store_;
  KeyService& keys_;
  std::mutex failures_mutex_;
  std::unordered_map<std::string, Failures> failures_;
};

// The email as stored and looked up: trimmed, lowercase.
std::string normalize_email(std::string_view email);

}  // namespace openpromo
