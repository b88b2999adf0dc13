// Dashboard users and sessions (issue 20). Users are found by email at sign-in, before any
// scope exists (as keys are by application id); sessions by the digest of their cookie.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/dashboard_user.h"
#include "store/unit_of_work.h"

namespace openpromo {

class DashboardRepository {
 public:
  explicit DashboardRepository(UnitOfWork& tx) : tx_(tx) {}

  // An email that exists is `false`.
  Result<bool> insert_user(const DashboardUser& user);
  Result<std::optional<DashboardUser>> find_user_by_email(std::string_view email);
  Result<std::optional<DashboardUser>> find_user(std::string_view id);
  Result<int64_t> count_users();
  // A project's users by email (at most `limit`).
  Result<std::vector<DashboardUser>> list_users(std::string_view project_id, int64_t limit);

  Status insert_session(const DashboardSession& session);
  // The session and its user, when the session exists and has not expired at `now`.
  Result<std::optional<std::pair<DashboardSession, DashboardUser>>> find_session(
      std::string_view token_hash, Instant now);
  Status delete_session(std::string_view token_hash);
  // Deletes up to `limit` sessions expired before `now`.
  Status sweep_sessions(Instant now, int64_t limit);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
