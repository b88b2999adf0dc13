#include "service/key_service.h"

#include <algorithm>
#include <array>
#include <chrono>

#include "core/crypto.h"
#include "core/time_zone.h"
#include "service/area_service.h"
#include "store/area_repository.h"
#include "store/project_repository.h"

namespace openpromo {

Error unauthorized(std::string details) {
  return Error{401, "unauthorized", "Unauthorized", std::move(details), {}, {}};
}

Error missing_permission(std::string details) {
  return Error{
      403, "missing_required_permission", "Missing required permission", std::move(details), {},
      {}};
}

Status require_admin(const Principal& principal, std::string_view action) {
  if (principal.role == Role::kAdmin) return {};
  return missing_permission("The key's role (" + std::string(to_string(principal.role)) +
                            ") may not " + std::string(action));
}

// A restricted key's area and store assignments (see key_service.h: fixed for the key's life).
Status KeyService::load_grants(UnitOfWork& tx, Principal& who) {
  if (who.role != Role::kRestricted) return {};
  {
    std::lock_guard lock(grants_mutex_);
    if (auto it = grants_.find(who.key_id); it != grants_.end()) {
      who.grants = it->second.first;
      who.area_store_id = it->second.second;
      return {};
    }
  }
  OP_ASSIGN(auto assigned, AreaRepository(tx).of_key(who.project_id, who.key_id));
  // Only a key of exactly one store and nothing else speaks for one store in reports.
  if (assigned.size() == 1 && !assigned.front().area_store_id.empty()) {
    who.area_store_id = assigned.front().area_store_id;
  }
  who.grants = std::make_shared<const AreaGrants>(AreaGrants::of(assigned));
  std::lock_guard lock(grants_mutex_);
  grants_.emplace(who.key_id, std::pair{who.grants, who.area_store_id});
  return {};
}

Result<Project> KeyService::ensure_default_project() {
  return store_.in_write(
      [](UnitOfWork& tx) { return ProjectRepository(tx).ensure_default(now_utc()); });
}

Result<Project> KeyService::create_project(std::string name) {
  if (name.empty() || name.size() > 200) {
    return Error::invalid_payload("a project name has 1 to 200 characters");
  }
  Project p;
  p.id = new_id("proj_");
  p.name = std::move(name);
  p.created_at = now_utc();
  OP_TRY(store_.in_write([&](UnitOfWork& tx) { return ProjectRepository(tx).insert(p); }));
  return p;
}

namespace {

Result<NewKey> make_key(const Project& project, KeyKind kind, Role role,
                        std::vector<std::string> allowed_origins) {
  if (kind == KeyKind::kClient && allowed_origins.empty()) {
    return Error::invalid_payload("a client key needs at least one allowed origin");
  }
  if (kind != KeyKind::kClient && !allowed_origins.empty()) {
    return Error::invalid_payload("allowed origins apply to client keys only");
  }
  NewKey created;
  created.token = new_uuid();
  ApiKey& key = created.key;
  key.id = new_id("key_");
  key.project_id = project.id;
  key.kind = kind;
  key.role = role;
  key.app_id = new_uuid();
  key.token_hash = sha256_hex(created.token);
  key.allowed_origins = std::move(allowed_origins);
  key.created_at = now_utc();
  return created;
}

}  // namespace

Result<NewKey> KeyService::create(const Project& project, KeyKind kind, Role role,
                                  std::vector<std::string> allowed_origins,
                                  const AssignmentIds& assignments,
                                  const std::function<Status(UnitOfWork&, const ApiKey&)>& also) {
  if (role != Role::kRestricted && !assignments.empty()) {
    return Error::invalid_payload("only a restricted key is assigned to areas and stores");
  }
  if (role == Role::kRestricted && kind == KeyKind::kManagement) {
    return Error::invalid_payload("a management key cannot be restricted");
  }
  OP_ASSIGN(NewKey created, make_key(project, kind, role, std::move(allowed_origins)));
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_TRY(ApiKeyRepository(tx).insert(created.key));
    if (role == Role::kRestricted) {
      OP_TRY(AreaService::assign_key(tx, Scope::of_project(project.id), created.key.id, assignments,
                                     created.key.created_at));
    }
    if (also) OP_TRY(also(tx, created.key));
    return {};
  }));
  return created;
}

Result<NewKey> KeyService::create_for(const Principal& who, KeyKind kind, Role role,
                                      std::vector<std::string> allowed_origins,
                                      const AssignmentIds& assignments) {
  OP_TRY(require_admin(who, "create API keys"));
  if (kind == KeyKind::kManagement) {
    return Error::invalid_payload("management keys are created with `openpromo keys create`");
  }
  return create(who.project, kind, role, std::move(allowed_origins), assignments);
}

Result<KeyService::Bootstrap> KeyService::bootstrap(const Project& project, std::string_view app_id,
                                                    std::string_view token) {
  if (app_id.empty() != token.empty()) {
    return Error::invalid_payload(
        "set both OPENPROMO_BOOTSTRAP_APP_ID and OPENPROMO_BOOTSTRAP_APP_TOKEN, or neither");
  }
  if (app_id.empty()) {
    // The count and the insert in one write unit: nodes starting at once on an empty SQLite
    // database generate one key between them.
    return store_.in_write([&](UnitOfWork& tx) -> Result<Bootstrap> {
      Bootstrap outcome;
      ApiKeyRepository keys(tx);
      OP_ASSIGN(int64_t count, keys.count(Scope::of_project(project.id)));
      if (count > 0) return outcome;
      OP_ASSIGN(NewKey generated, make_key(project, KeyKind::kServer, Role::kAdmin, {}));
      OP_TRY(keys.insert(generated.key));
      outcome.generated = std::move(generated);
      return outcome;
    });
  }
  return store_.in_write([&](UnitOfWork& tx) -> Result<Bootstrap> {
    Bootstrap outcome;
    ApiKeyRepository keys(tx);
    OP_ASSIGN(auto existing, keys.find_by_app_id(app_id));
    if (existing) {
      outcome.bootstrap_key_mismatch =
          !constant_time_equals(existing->key.token_hash, sha256_hex(token));
      return outcome;
    }
    ApiKey key;
    key.id = new_id("key_");
    key.project_id = project.id;
    key.kind = KeyKind::kServer;
    key.role = Role::kAdmin;
    key.app_id = std::string(app_id);
    key.token_hash = sha256_hex(token);
    key.created_at = now_utc();
    // Another node may insert it between our read and write: that is the same outcome.
    OP_ASSIGN(outcome.bootstrap_key_created, keys.insert_if_new(key));
    return outcome;
  });
}

Result<std::shared_ptr<const KeyService::VerifiedKey>> KeyService::find_key(
    std::string_view app_id) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(keys_mutex_);
    if (auto it = keys_.find(std::string(app_id));
        it != keys_.end() && now - it->second->read_at < kKeyCacheLifetime) {
      return it->second;
    }
  }
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, ApiKeyRepository(tx).find_by_app_id(app_id));
  if (!found) return std::shared_ptr<const VerifiedKey>();  // unknown ids are not kept
  auto entry = std::make_shared<const VerifiedKey>(
      VerifiedKey{std::move(found->key), std::move(found->project), now});
  std::lock_guard lock(keys_mutex_);
  if (keys_.size() >= kMaxCachedKeys) keys_.clear();
  keys_[std::string(app_id)] = entry;
  return entry;
}

void KeyService::forget_keys() {
  std::lock_guard lock(keys_mutex_);
  keys_.clear();
}

Result<Principal> KeyService::verify(std::string_view app_id, std::string_view token, KeyKind kind,
                                     std::vector<std::string>* origins) {
  if (app_id.empty() || token.empty()) return unauthorized("Missing API credentials");
  // Hash even when the key is unknown, so timing does not reveal which application ids exist.
  const std::string presented = sha256_hex(token);
  OP_ASSIGN(const std::shared_ptr<const VerifiedKey> found, find_key(app_id));
  if (!found) return unauthorized("Invalid API credentials");
  const ApiKey& key = found->key;
  if (!constant_time_equals(key.token_hash, presented) || key.kind != kind) {
    return unauthorized("Invalid API credentials");
  }
  if (origins) *origins = key.allowed_origins;
  return principal_from(*found);
}

Result<Principal> KeyService::principal_of(std::string_view app_id) {
  OP_ASSIGN(const std::shared_ptr<const VerifiedKey> found, find_key(app_id));
  if (!found || found->key.kind != KeyKind::kServer) {
    return unauthorized("The signed-in user's key is gone");
  }
  return principal_from(*found);
}

Result<Principal> KeyService::principal_from(const VerifiedKey& found) {
  const ApiKey& key = found.key;
  Principal who;
  who.project_id = key.project_id;
  who.key_id = key.id;
  who.kind = key.kind;
  who.role = key.role;
  who.project = found.project;
  if (who.role == Role::kRestricted) {
    OP_ASSIGN(auto tx, store_.statements());
    OP_TRY(load_grants(tx, who));
  }
  return who;
}

Result<Principal> KeyService::authenticate_server(std::string_view app_id, std::string_view token) {
  return verify(app_id, token, KeyKind::kServer, nullptr);
}

Result<Principal> KeyService::authenticate_management(std::string_view app_id,
                                                      std::string_view token,
                                                      std::string_view project_id) {
  OP_ASSIGN(Principal who, verify(app_id, token, KeyKind::kManagement, nullptr));
  who.role = Role::kAdmin;
  if (project_id.empty()) return who;
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, ProjectRepository(tx).find(Scope::of_project(std::string(project_id))));
  if (!found) return Error::not_found("project", std::string(project_id));
  who.project_id = found->id;
  who.project = std::move(*found);
  return who;
}

Result<std::vector<Project>> KeyService::projects(const Principal& who) {
  if (who.kind != KeyKind::kManagement) {
    return missing_permission("listing projects needs a management key");
  }
  OP_ASSIGN(auto tx, store_.statements());
  return ProjectRepository(tx).all();
}

Result<KeyService::NewProject> KeyService::create_project_with_keys(
    const Principal& who, std::string name, const ProjectSettings& settings) {
  if (who.kind != KeyKind::kManagement) {
    return missing_permission("creating projects needs a management key");
  }
  if (name.empty() || name.size() > 200) {
    return Error::invalid_payload("name is required: 1 to 200 characters");
  }
  NewProject out;
  Project& p = out.project;
  p.id = new_id("proj_");
  p.name = std::move(name);
  p.created_at = now_utc();
  if (settings.time_zone) {
    if (auto zone = TimeZone::load(*settings.time_zone); !zone.ok()) {
      return Error::invalid_payload("timezone '" + *settings.time_zone +
                                    "' is not a known time zone");
    }
    p.time_zone = *settings.time_zone;
  }
  if (settings.currency) {
    if (settings.currency->size() != 3) {
      return Error::invalid_payload("currency must be an ISO 4217 code");
    }
    p.currency = *settings.currency;
  }
  if (settings.client_redeem_enabled) p.client_redeem_enabled = *settings.client_redeem_enabled;
  if (settings.client_publish_enabled) p.client_publish_enabled = *settings.client_publish_enabled;
  OP_ASSIGN(out.server_key, make_key(p, KeyKind::kServer, Role::kAdmin, {}));
  OP_ASSIGN(out.client_key, make_key(p, KeyKind::kClient, Role::kAdmin, {"*"}));
  // The project and both keys in one unit: a failure leaves no project without keys.
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_TRY(ProjectRepository(tx).insert(p));
    OP_TRY(ProjectRepository(tx).update(p));  // settings beyond the name
    OP_TRY(ApiKeyRepository(tx).insert(out.server_key.key));
    return ApiKeyRepository(tx).insert(out.client_key.key);
  }));
  return out;
}

namespace {

// The reference's scope names (OpenAPI X-Voucherify-OAuth): `api` is the whole server API,
// `client_api` the whole client API, the others one path prefix each.
constexpr std::string_view kOAuthScopes[] = {"api",
                                             "client_api",
                                             "assets",
                                             "async-actions",
                                             "campaigns",
                                             "categories",
                                             "client_consents",
                                             "client_customers",
                                             "client_events",
                                             "client_promotions",
                                             "client_publish",
                                             "client_qualifications",
                                             "client_redeem",
                                             "client_redemptions",
                                             "client_validate",
                                             "client_validations",
                                             "client_vouchers",
                                             "consents",
                                             "customers",
                                             "events",
                                             "exports",
                                             "locations",
                                             "loyalties",
                                             "metadata-schemas",
                                             "orders",
                                             "product-collections",
                                             "products",
                                             "promotions",
                                             "publications",
                                             "qualifications",
                                             "redemptions",
                                             "referrals",
                                             "rewards",
                                             "segments",
                                             "skus",
                                             "task-results",
                                             "templates",
                                             "trash-bin",
                                             "validation-rules-assignments",
                                             "validation-rules",
                                             "validations",
                                             "vouchers"};

std::vector<std::string> split_scope(std::string_view scope) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < scope.size()) {
    size_t end = scope.find(' ', start);
    if (end == std::string_view::npos) end = scope.size();
    if (end > start) out.emplace_back(scope.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<KeyService::IssuedToken> KeyService::issue_token(const Principal& who,
                                                        std::string_view app_id,
                                                        std::string_view grant_type,
                                                        std::string_view scope) {
  if (grant_type != "client_credentials") {
    return Error{400,
                 "unsupported_grant_type",
                 "Unsupported grant type",
                 "grant_type must be client_credentials",
                 {},
                 {}};
  }
  const std::vector<std::string> scopes = split_scope(scope);
  if (scopes.empty()) {
    return Error{400,
                 "invalid_scope",
                 "Invalid scope",
                 "scope is required: space-separated names such as `api` or `vouchers`",
                 {},
                 {}};
  }
  for (const std::string& s : scopes) {
    if (std::find(std::begin(kOAuthScopes), std::end(kOAuthScopes), s) == std::end(kOAuthScopes)) {
      return Error{400,
                   "invalid_scope",
                   "Invalid scope",
                   "unknown scope '" + s + "' (separate scopes with spaces, not commas)",
                   {},
                   {}};
    }
    // A client key's token reaches the client API only, a server key's the server API only.
    const bool client_scope = s.starts_with("client_");
    if (client_scope != (who.kind == KeyKind::kClient)) {
      return Error{400,
                   "invalid_scope",
                   "Invalid scope",
                   "scope '" + s + "' does not fit a " + std::string(to_string(who.kind)) + " key",
                   {},
                   {}};
    }
  }
  IssuedToken out;
  out.access_token = random_token(48);
  OAuthToken& t = out.stored;
  t.id = new_id("oat_");
  t.project_id = who.project_id;
  t.app_id = std::string(app_id);
  t.token_hash = sha256_hex(out.access_token);
  for (const std::string& s : scopes) t.scope += (t.scope.empty() ? "" : " ") + s;
  t.created_at = now_utc();
  t.expires_at = Instant{t.created_at.millis + kOAuthLifetimeSeconds * 1000};
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    OAuthTokenRepository tokens(tx);
    OP_ASSIGN(int64_t live, tokens.count_live(who.scope(), t.app_id, t.created_at));
    if (live >= kMaxLiveOAuthTokens) {
      return Error{429,
                   "too_many_oauth_tokens",
                   "Too many OAuth tokens",
                   "at most 1000 live OAuth tokens per key; revoke some or wait for them to "
                   "expire",
                   {},
                   {}};
    }
    return tokens.insert(t);
  }));
  return out;
}

Result<Principal> KeyService::authenticate_bearer(std::string_view access_token,
                                                  std::string_view origin) {
  if (access_token.empty()) return unauthorized("Missing OAuth token");
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto token, OAuthTokenRepository(tx).find_by_hash(sha256_hex(access_token)));
  if (!token || token->revoked_at || token->expires_at.millis <= now_utc().millis) {
    return unauthorized("Invalid or expired OAuth token");
  }
  // Acts as its key, read now: a deleted key's tokens stop working at once.
  OP_ASSIGN(auto found, ApiKeyRepository(tx).find_by_app_id(token->app_id));
  if (!found || found->key.project_id != token->project_id) {
    return unauthorized("Invalid or expired OAuth token");
  }
  if (found->key.kind == KeyKind::kClient) {
    bool allowed = false;
    for (const auto& o : found->key.allowed_origins) {
      allowed = allowed || o == "*" || (!origin.empty() && o == origin);
    }
    if (!allowed) return unauthorized("Origin not allowed for this client key");
  }
  Principal who;
  who.project_id = found->key.project_id;
  who.key_id = found->key.id;
  who.kind = found->key.kind;
  who.role = found->key.role;
  who.project = std::move(found->project);
  OP_TRY(load_grants(tx, who));
  who.oauth_scopes = split_scope(token->scope);
  return who;
}

Result<std::optional<OAuthToken>> KeyService::find_token(const Principal& who,
                                                         std::string_view access_token) {
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto token, OAuthTokenRepository(tx).find_by_hash(sha256_hex(access_token)));
  if (token && token->project_id != who.project_id) token.reset();
  return token;
}

Result<bool> KeyService::revoke_token(const Principal& who, std::string_view access_token) {
  return store_.in_write([&](UnitOfWork& tx) {
    return OAuthTokenRepository(tx).revoke(who.scope(), sha256_hex(access_token), now_utc());
  });
}

Result<Principal> KeyService::authenticate_client(std::string_view app_id, std::string_view token,
                                                  std::string_view origin) {
  std::vector<std::string> origins;
  OP_ASSIGN(Principal who, verify(app_id, token, KeyKind::kClient, &origins));
  bool allowed = false;
  for (const auto& o : origins) {
    if (o == "*" || (!origin.empty() && o == origin)) allowed = true;
  }
  if (!allowed) return unauthorized("Origin not allowed for this client key");
  return who;
}

}  // namespace openpromo

namespace openpromo {

Result<Project> KeyService::project(const Principal& who) {
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, ProjectRepository(tx).find(who.scope()));
  if (!found) return Error::not_found("project", who.project_id);
  return std::move(*found);
}

Result<Project> KeyService::update_project(const Principal& who, const ProjectSettings& in) {
  OP_TRY(require_admin(who, "change project settings"));
  if (in.name && (in.name->empty() || in.name->size() > 200)) {
    return Error::invalid_payload("name must be 1 to 200 characters");
  }
  if (in.time_zone) {
    // Only zones the tz database knows: day, week and month windows are computed in it.
    if (auto zone = TimeZone::load(*in.time_zone); !zone.ok()) {
      return Error::invalid_payload("timezone '" + *in.time_zone + "' is not a known time zone");
    }
  }
  if (in.currency && (in.currency->size() != 3)) {
    return Error::invalid_payload("currency must be an ISO 4217 code");
  }
  if (in.week_start && (*in.week_start < 0 || *in.week_start > 6)) {
    return Error::invalid_payload("week_start must be from 0 (Sunday) to 6 (Saturday)");
  }
  return store_.in_write([&](UnitOfWork& tx) -> Result<Project> {
    ProjectRepository projects(tx);
    OP_ASSIGN(auto found, projects.find(who.scope()));
    if (!found) return Error::not_found("project", who.project_id);
    Project p = std::move(*found);
    if (in.name) p.name = *in.name;
    if (in.time_zone) p.time_zone = *in.time_zone;
    if (in.currency) p.currency = *in.currency;
    if (in.week_start) p.week_start = *in.week_start;
    if (in.client_redeem_enabled) p.client_redeem_enabled = *in.client_redeem_enabled;
    if (in.client_publish_enabled) p.client_publish_enabled = *in.client_publish_enabled;
    OP_TRY(projects.update(p));
    // Keys carry their project's settings: this node reads them again at once (other nodes
    // within kKeyCacheLifetime).
    tx.after_commit([this] { forget_keys(); });
    return p;
  });
}

}  // namespace openpromo
