#include "service/key_service.h"

#include "core/crypto.h"
#include "core/time_zone.h"
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
  if (kind == KeyKind::kServer && !allowed_origins.empty()) {
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
                                  std::vector<std::string> allowed_origins) {
  OP_ASSIGN(NewKey created, make_key(project, kind, role, std::move(allowed_origins)));
  OP_TRY(store_.in_write([&](UnitOfWork& tx) { return ApiKeyRepository(tx).insert(created.key); }));
  return created;
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

Result<Principal> KeyService::verify(std::string_view app_id, std::string_view token, KeyKind kind,
                                     std::vector<std::string>* origins) {
  if (app_id.empty() || token.empty()) return unauthorized("Missing API credentials");
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, ApiKeyRepository(tx).find_by_app_id(app_id));
  // Hash even when the key is unknown, so timing does not reveal which application ids exist.
  const std::string presented = sha256_hex(token);
  if (!found) return unauthorized("Invalid API credentials");
  const ApiKey& key = found->key;
  if (!constant_time_equals(key.token_hash, presented) || key.kind != kind) {
    return unauthorized("Invalid API credentials");
  }
  if (origins) *origins = key.allowed_origins;
  Principal who;
  who.project_id = key.project_id;
  who.key_id = key.id;
  who.kind = key.kind;
  who.role = key.role;
  who.project = std::move(found->project);
  return who;
}

Result<Principal> KeyService::authenticate_server(std::string_view app_id, std::string_view token) {
  return verify(app_id, token, KeyKind::kServer, nullptr);
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
    return p;
  });
}

}  // namespace openpromo
