#include "service/dashboard_service.h"

#include <algorithm>
#include <cctype>

#include "core/crypto.h"
#include "core/password.h"
#include "store/area_repository.h"
#include "store/dashboard_repository.h"

namespace openpromo {
namespace {

Error throttled(int64_t seconds) {
  Error e{429,
          "too_many_requests",
          "Too many requests",
          "Too many failed sign-ins for this email: try again in " + std::to_string(seconds) + " s",
          {},
          {}};
  return e;
}

// No control characters (NUL above all: a C-string driver would cut the email at it, so the
// lock-out and the lookup would see different emails).
bool plain_text(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace

std::string normalize_email(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) {
    email.remove_prefix(1);
  }
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) {
    email.remove_suffix(1);
  }
  std::string out(email);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<DashboardUser> DashboardService::create_user(const Project& project, std::string_view email,
                                                    DashboardRole role, std::string_view password,
                                                    const AssignmentIds& assignments) {
  DashboardUser user;
  user.email = normalize_email(email);
  const size_t at = user.email.find('@');
  if (!plain_text(user.email) || user.email.size() > 254 || at == std::string::npos || at == 0 ||
      at + 1 == user.email.size() || std::any_of(user.email.begin(), user.email.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c));
      })) {
    return Error::invalid_payload("email must be an email address (name@domain)");
  }
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    return Error::invalid_payload("password must be " + std::to_string(kMinPasswordLength) +
                                  " to " + std::to_string(kMaxPasswordLength) + " characters");
  }
  if (role == DashboardRole::kRestricted && assignments.empty()) {
    return Error::invalid_payload("a restricted user needs at least one area or store");
  }
  auto hash = hash_password(password);
  if (!hash) return Error::internal("the password could not be hashed (out of memory)");
  user.id = new_id("usr_");
  user.project_id = project.id;
  user.role = role;
  user.password_hash = std::move(*hash);
  user.created_at = now_utc();
  OP_TRY(keys_.create(project, KeyKind::kServer, key_role_of(role), {}, assignments,
                      [&](UnitOfWork& tx, const ApiKey& key) -> Status {
                        user.key_id = key.id;
                        user.key_app_id = key.app_id;
                        OP_ASSIGN(const bool inserted, DashboardRepository(tx).insert_user(user));
                        if (!inserted) {
                          return Error::duplicate_found("user", "a user with this email exists");
                        }
                        return {};
                      }));
  return user;
}

Result<std::vector<DashboardService::UserWithAssignments>> DashboardService::users(
    const Principal& who) {
  OP_TRY(require_admin(who, "list dashboard users"));
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<std::vector<UserWithAssignments>> {
    OP_ASSIGN(auto listed, DashboardRepository(tx).list_users(who.project_id, kMaxListedUsers));
    std::vector<UserWithAssignments> out;
    for (DashboardUser& u : listed) {
      UserWithAssignments entry{std::move(u), {}};
      if (entry.user.role == DashboardRole::kRestricted) {
        OP_ASSIGN(entry.assignments, AreaRepository(tx).of_key(who.project_id, entry.user.key_id));
      }
      out.push_back(std::move(entry));
    }
    return out;
  });
}

Result<int64_t> DashboardService::count_users() {
  OP_ASSIGN(auto tx, store_.statements());
  return DashboardRepository(tx).count_users();
}

int64_t DashboardService::begin_attempt(const std::string& email) {
  // Checked and counted under one lock: parallel guesses cannot all pass before any counts.
  // A success clears the count again.
  std::lock_guard lock(failures_mutex_);
  const auto now = std::chrono::steady_clock::now();
  auto it = failures_.find(email);
  if (it == failures_.end()) {
    if (failures_.size() >= kMaxTrackedEmails) {
      // Forget only emails that are not locked out now; active lock-outs stay.
      std::erase_if(failures_, [&](const auto& entry) { return entry.second.locked_until <= now; });
      if (failures_.size() >= kMaxTrackedEmails) return 0;
    }
    it = failures_.emplace(email, Failures{}).first;
  }
  Failures& f = it->second;
  if (f.locked_until > now) {
    return std::chrono::ceil<std::chrono::seconds>(f.locked_until - now).count();
  }
  ++f.count;
  if (f.count >= kFreeFailures) {
    // 30 s after the fifth attempt without success, doubling with each further one, at most
    // 15 minutes.
    const int doublings = std::min(f.count - kFreeFailures, 5);
    f.locked_until = now + std::min<std::chrono::seconds>(std::chrono::seconds(30 << doublings),
                                                          std::chrono::minutes(15));
  }
  return 0;
}

void DashboardService::clear_failures(const std::string& email) {
  std::lock_guard lock(failures_mutex_);
  failures_.erase(email);
}

Result<DashboardService::SignedIn> DashboardService::sign_in(std::string_view email,
                                                             std::string_view password) {
  const std::string wanted = normalize_email(email);
  if (wanted.empty() || password.empty()) {
    return Error::invalid_payload("email and password are required");
  }
  if (!plain_text(wanted)) return Error::invalid_payload("email has control characters");
  if (password.size() > kMaxPasswordLength) return unauthorized("Wrong email or password");
  if (const int64_t seconds = begin_attempt(wanted); seconds > 0) return throttled(seconds);
  std::optional<DashboardUser> user;
  {
    OP_ASSIGN(auto tx, store_.statements());
    OP_ASSIGN(user, DashboardRepository(tx).find_user_by_email(wanted));
  }
  // An unknown email costs the same hash as a known one.
  const bool matches =
      verify_password(user ? user->password_hash : decoy_password_hash(), password);
  if (!user || !matches) return unauthorized("Wrong email or password");
  clear_failures(wanted);
  SignedIn out;
  out.user = std::move(*user);
  out.cookie_token = random_token(48);
  out.csrf_token = random_token(32);
  DashboardSession session;
  session.token_hash = sha256_hex(out.cookie_token);
  session.user_id = out.user.id;
  session.csrf_token = out.csrf_token;
  session.created_at = now_utc();
  session.expires_at =
      Instant{session.created_at.millis +
              std::chrono::duration_cast<std::chrono::milliseconds>(kSessionLifetime).count()};
  out.expires_at = session.expires_at;
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    DashboardRepository repo(tx);
    OP_TRY(repo.sweep_sessions(session.created_at, 100));
    return repo.insert_session(session);
  }));
  return out;
}

Result<DashboardService::Session> DashboardService::authenticate(std::string_view cookie_token) {
  if (cookie_token.empty()) return unauthorized("Not signed in");
  std::optional<std::pair<DashboardSession, DashboardUser>> found;
  {
    OP_ASSIGN(auto tx, store_.statements());
    OP_ASSIGN(found, DashboardRepository(tx).find_session(sha256_hex(cookie_token), now_utc()));
  }
  if (!found) return unauthorized("Not signed in, or the session has expired");
  OP_ASSIGN(Principal who, keys_.principal_of(found->second.key_app_id));
  return Session{std::move(found->second), std::move(found->first), std::move(who)};
}

Status DashboardService::sign_out(std::string_view cookie_token) {
  if (cookie_token.empty()) return {};
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    return DashboardRepository(tx).delete_session(sha256_hex(cookie_token));
  });
}

}  // namespace openpromo
