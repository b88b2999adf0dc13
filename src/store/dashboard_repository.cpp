#include "store/dashboard_repository.h"

#include <string>

namespace openpromo {
namespace {

constexpr std::string_view kUserColumns =
    "u.id, u.project_id, u.email, u.role, u.password_hash, u.key_id, u.key_app_id, u.created_at";

DashboardUser user_from_row(const sql::Row& r, size_t at = 0) {
  DashboardUser u;
  u.id = r.text(at);
  u.project_id = r.text(at + 1);
  u.email = r.text(at + 2);
  // A role this build does not know reads as the narrowest one.
  u.role = dashboard_role_from_string(r.text(at + 3)).value_or(DashboardRole::kViewer);
  u.password_hash = r.text(at + 4);
  u.key_id = r.text(at + 5);
  u.key_app_id = r.text(at + 6);
  u.created_at = Instant{r.integer(at + 7)};
  return u;
}

}  // namespace

Result<bool> DashboardRepository::insert_user(const DashboardUser& u) {
  OP_ASSIGN(auto rs,
            tx_.query("INSERT INTO dashboard_users (id, project_id, email, role, password_hash,"
                      " key_id, key_app_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                      " ON CONFLICT (email) DO NOTHING RETURNING id",
                      {u.id, u.project_id, u.email, std::string(to_string(u.role)), u.password_hash,
                       u.key_id, u.key_app_id, u.created_at.millis}));
  return !rs.rows.empty();
}

Result<std::optional<DashboardUser>> DashboardRepository::find_user_by_email(
    std::string_view email) {
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kUserColumns) +
                                   " FROM dashboard_users u WHERE u.email = ?",
                               {std::string(email)}));
  if (rs.rows.empty()) return std::optional<DashboardUser>{};
  return std::optional<DashboardUser>(user_from_row(rs.rows[0]));
}

Result<std::optional<DashboardUser>> DashboardRepository::find_user(std::string_view id) {
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kUserColumns) +
                                   " FROM dashboard_users u WHERE u.id = ?",
                               {std::string(id)}));
  if (rs.rows.empty()) return std::optional<DashboardUser>{};
  return std::optional<DashboardUser>(user_from_row(rs.rows[0]));
}

Result<std::vector<DashboardUser>> DashboardRepository::list_users(std::string_view project_id,
                                                                   int64_t limit) {
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kUserColumns) +
                                   " FROM dashboard_users u WHERE u.project_id = ?"
                                   " ORDER BY u.email LIMIT ?",
                               {std::string(project_id), limit}));
  std::vector<DashboardUser> out;
  for (const auto& r : rs.rows) out.push_back(user_from_row(r));
  return out;
}

Result<int64_t> DashboardRepository::count_users() {
  OP_ASSIGN(auto rs, tx_.query("SELECT COUNT(*) FROM dashboard_users"));
  return rs.rows.at(0).integer(0);
}

Status DashboardRepository::insert_session(const DashboardSession& s) {
  OP_TRY(
      tx_.query("INSERT INTO dashboard_sessions (token_hash, user_id, csrf_token, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?)",
                {s.token_hash, s.user_id, s.csrf_token, s.created_at.millis, s.expires_at.millis}));
  return {};
}

Result<std::optional<std::pair<DashboardSession, DashboardUser>>> DashboardRepository::find_session(
    std::string_view token_hash, Instant now) {
  using Found = std::optional<std::pair<DashboardSession, DashboardUser>>;
  OP_ASSIGN(auto rs, tx_.query("SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at,"
                               " s.expires_at, " +
                                   std::string(kUserColumns) +
                                   " FROM dashboard_sessions s JOIN dashboard_users u"
                                   " ON u.id = s.user_id WHERE s.token_hash = ? AND"
                                   " s.expires_at > ?",
                               {std::string(token_hash), now.millis}));
  if (rs.rows.empty()) return Found{};
  const sql::Row& r = rs.rows[0];
  DashboardSession s;
  s.token_hash = r.text(0);
  s.user_id = r.text(1);
  s.csrf_token = r.text(2);
  s.created_at = Instant{r.integer(3)};
  s.expires_at = Instant{r.integer(4)};
  return Found{std::pair{std::move(s), user_from_row(r, 5)}};
}

Status DashboardRepository::delete_session(std::string_view token_hash) {
  OP_TRY(
      tx_.query("DELETE FROM dashboard_sessions WHERE token_hash = ?", {std::string(token_hash)}));
  return {};
}

Status DashboardRepository::sweep_sessions(Instant now, int64_t limit) {
  OP_TRY(
      tx_.query("DELETE FROM dashboard_sessions WHERE token_hash IN (SELECT token_hash FROM"
                " dashboard_sessions WHERE expires_at < ? LIMIT ?)",
                {now.millis, limit}));
  return {};
}

}  // namespace openpromo
