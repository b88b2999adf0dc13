#include "store/project_repository.h"

#include "core/crypto.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

constexpr std::string_view kProjectColumns =
    "id, name, time_zone, currency, case_sensitive_codes, created_at, week_start,"
    " client_redeem_enabled, client_publish_enabled";

Project project_from_row(const sql::Row& row, size_t at = 0) {
  Project p;
  p.id = row.text(at + 0);
  p.name = row.text(at + 1);
  p.time_zone = row.text(at + 2);
  p.currency = row.text(at + 3);
  p.case_sensitive_codes = row.integer(at + 4) != 0;
  p.created_at = Instant{row.integer(at + 5)};
  p.week_start = static_cast<int>(row.integer(at + 6));
  p.client_redeem_enabled = row.integer(at + 7) != 0;
  p.client_publish_enabled = row.integer(at + 8) != 0;
  return p;
}

std::string join_lines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += '\n';
    out += s;
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<Project> ProjectRepository::ensure_default(Instant now) {
  Project p;
  p.id = new_id("proj_");
  p.name = "Default project";
  p.created_at = now;
  // Nodes starting at once race here: the partial unique index keeps one default project and
  // DO NOTHING lets the losers read the winner's.
  OP_TRY(tx_.query(
      "INSERT INTO projects (id, name, time_zone, currency, case_sensitive_codes, is_default,"
      " created_at) VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING",
      {p.id, p.name, p.time_zone, p.currency, int64_t{p.case_sensitive_codes ? 1 : 0},
       p.created_at.millis}));
  OP_ASSIGN(auto existing, tx_.query("SELECT " + std::string(kProjectColumns) +
                                     " FROM projects WHERE is_default = 1"));
  if (existing.rows.empty()) return Error::internal("default project missing after insert");
  return project_from_row(existing.rows[0]);
}

Status ProjectRepository::insert(const Project& p) {
  OP_TRY(tx_.query(
      "INSERT INTO projects (id, name, time_zone, currency, case_sensitive_codes, is_default,"
      " created_at, week_start, client_redeem_enabled) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
      {p.id, p.name, p.time_zone, p.currency, int64_t{p.case_sensitive_codes ? 1 : 0},
       p.created_at.millis, int64_t{p.week_start}, int64_t{p.client_redeem_enabled ? 1 : 0}}));
  return {};
}

Status ProjectRepository::update(const Project& p) {
  OP_ASSIGN(auto r,
            tx_.query("UPDATE projects SET name = ?, time_zone = ?, currency = ?,"
                      " week_start = ?, client_redeem_enabled = ?, client_publish_enabled = ?"
                      " WHERE id = ?",
                      {p.name, p.time_zone, p.currency, int64_t{p.week_start},
                       int64_t{p.client_redeem_enabled ? 1 : 0},
                       int64_t{p.client_publish_enabled ? 1 : 0}, p.id}));
  if (r.affected == 0) return Error::not_found("project", p.id);
  return {};
}

Result<std::optional<Project>> ProjectRepository::find(const Scope& scope) {
  OP_ASSIGN(auto rs,
            tx_.query("SELECT " + std::string(kProjectColumns) + " FROM projects WHERE id = ?",
                      {scope.project_id}));
  if (rs.rows.empty()) return std::optional<Project>{};
  return std::optional<Project>(project_from_row(rs.rows[0]));
}

Status ApiKeyRepository::insert(const ApiKey& key) {
  auto r = tx_.query(
      "INSERT INTO api_keys (id, project_id, kind, role, app_id, token_hash, allowed_origins,"
      " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {key.id, key.project_id, std::string(to_string(key.kind)), std::string(to_string(key.role)),
       key.app_id, key.token_hash, join_lines(key.allowed_origins), key.created_at.millis});
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) {
      return Error::duplicate_found("api_key", "an API key with this application id exists");
    }
    return std::move(r).take_error();
  }
  return {};
}

Result<bool> ApiKeyRepository::insert_if_new(const ApiKey& key) {
  OP_ASSIGN(auto r,
            tx_.query("INSERT INTO api_keys (id, project_id, kind, role, app_id, token_hash,"
                      " allowed_origins, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                      " ON CONFLICT DO NOTHING",
                      {key.id, key.project_id, std::string(to_string(key.kind)),
                       std::string(to_string(key.role)), key.app_id, key.token_hash,
                       join_lines(key.allowed_origins), key.created_at.millis}));
  return r.affected == 1;
}

Result<std::optional<KeyWithProject>> ApiKeyRepository::find_by_app_id(std::string_view app_id) {
  OP_ASSIGN(auto rs, tx_.query("SELECT k.id, k.project_id, k.kind, k.role, k.app_id, k.token_hash,"
                               " k.allowed_origins, k.created_at, p.id, p.name, p.time_zone,"
                               " p.currency, p.case_sensitive_codes, p.created_at,"
                               " p.week_start, p.client_redeem_enabled, p.client_publish_enabled"
                               " FROM api_keys k JOIN projects p ON p.id = k.project_id"
                               " WHERE k.app_id = ?",
                               {std::string(app_id)}));
  if (rs.rows.empty()) return std::optional<KeyWithProject>{};
  const sql::Row& row = rs.rows[0];
  KeyWithProject out;
  ApiKey& key = out.key;
  key.id = row.text(0);
  key.project_id = row.text(1);
  key.kind = key_kind_from_string(row.text(2)).value_or(KeyKind::kServer);
  key.role = role_from_string(row.text(3)).value_or(Role::kRestricted);
  key.app_id = row.text(4);
  key.token_hash = row.text(5);
  key.allowed_origins = split_lines(row.text(6));
  key.created_at = Instant{row.integer(7)};
  out.project = project_from_row(row, 8);
  return std::optional<KeyWithProject>(std::move(out));
}

Result<int64_t> ApiKeyRepository::count(const Scope& scope) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT COUNT(*) FROM api_keys WHERE " + s.where(), s.params()));
  return rs.rows.at(0).integer(0);
}

Result<std::vector<Project>> ProjectRepository::all() {
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kProjectColumns) +
                               " FROM projects ORDER BY created_at, id"));
  std::vector<Project> out;
  for (const auto& row : rs.rows) out.push_back(project_from_row(row));
  return out;
}

namespace {

constexpr std::string_view kTokenColumns =
    "id, project_id, app_id, token_hash, scope, expires_at, revoked_at, created_at";

OAuthToken token_from_row(const sql::Row& r) {
  OAuthToken t;
  t.id = r.text(0);
  t.project_id = r.text(1);
  t.app_id = r.text(2);
  t.token_hash = r.text(3);
  t.scope = r.text(4);
  t.expires_at = Instant{r.integer(5)};
  t.revoked_at = sql::opt_time(r, 6);
  t.created_at = Instant{r.integer(7)};
  return t;
}

}  // namespace

Status OAuthTokenRepository::insert(const OAuthToken& t) {
  OP_TRY(tx_.query("INSERT INTO oauth_tokens (" + std::string(kTokenColumns) +
                       ") VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                   {t.id, t.project_id, t.app_id, t.token_hash, t.scope, t.expires_at.millis,
                    t.created_at.millis}));
  return {};
}

Result<std::optional<OAuthToken>> OAuthTokenRepository::find_by_hash(std::string_view token_hash) {
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kTokenColumns) +
                                   " FROM oauth_tokens WHERE token_hash = ?",
                               {std::string(token_hash)}));
  if (rs.rows.empty()) return std::optional<OAuthToken>{};
  return std::optional<OAuthToken>(token_from_row(rs.rows[0]));
}

Result<int64_t> OAuthTokenRepository::count_live(const Scope& scope, std::string_view app_id,
                                                 Instant now) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT COUNT(*) FROM oauth_tokens WHERE " + s.where() +
                                   " AND app_id = ? AND expires_at > ? AND revoked_at IS NULL",
                               s.params({std::string(app_id), now.millis})));
  return rs.rows.at(0).integer(0);
}

Result<int64_t> OAuthTokenRepository::sweep(Instant now, int64_t limit) {
  OP_ASSIGN(auto rs, tx_.query("DELETE FROM oauth_tokens WHERE id IN (SELECT id FROM oauth_tokens"
                               " WHERE expires_at < ? LIMIT ?) RETURNING id",
                               {now.millis, limit}));
  return static_cast<int64_t>(rs.rows.size());
}

Result<bool> OAuthTokenRepository::revoke(const Scope& scope, std::string_view token_hash,
                                          Instant now) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("UPDATE oauth_tokens SET revoked_at = ? WHERE " + s.where() +
                                   " AND token_hash = ? AND revoked_at IS NULL RETURNING id",
                               [&] {
                                 std::vector<sql::Value> p{now.millis};
                                 s.bind(p);
                                 p.emplace_back(std::string(token_hash));
                                 return p;
                               }()));
  return !rs.rows.empty();
}

}  // namespace openpromo
