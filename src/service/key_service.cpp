#include "service/key_service.h"

#include "core/crypto.h"

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

Result<NewKey> KeyService::create(const Project& project, KeyKind kind, Role role,
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
  OP_TRY(store_.insert_api_key(key));
  return created;
}

Result<KeyService::Bootstrap> KeyService::bootstrap(const Project& project, std::string_view app_id,
                                                    std::string_view token) {
  Bootstrap outcome;
  if (app_id.empty() != token.empty()) {
    return Error::invalid_payload(
        "set both OPENPROMO_BOOTSTRAP_APP_ID and OPENPROMO_BOOTSTRAP_APP_TOKEN, or neither");
  }
  if (!app_id.empty()) {
    OP_ASSIGN(auto existing, store_.find_api_key(app_id));
    if (existing) {
      outcome.bootstrap_key_mismatch =
          !constant_time_equals(existing->token_hash, sha256_hex(token));
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
    auto inserted = store_.insert_api_key(key);
    // Another node may have inserted it between our read and write: that is the same outcome.
    if (!inserted.ok() && inserted.error().key != "duplicate_found") {
      return std::move(inserted).take_error();
    }
    outcome.bootstrap_key_created = inserted.ok();
    return outcome;
  }
  OP_ASSIGN(int64_t keys, store_.count_api_keys(project.id));
  if (keys == 0) {
    OP_ASSIGN(NewKey generated, create(project, KeyKind::kServer, Role::kAdmin, {}));
    outcome.generated = std::move(generated);
  }
  return outcome;
}

Result<ApiKey> KeyService::verify(std::string_view app_id, std::string_view token, KeyKind kind) {
  if (app_id.empty() || token.empty()) return unauthorized("Missing API credentials");
  OP_ASSIGN(auto key, store_.find_api_key(app_id));
  // Hash even when the key is unknown, so timing does not reveal which application ids exist.
  const std::string presented = sha256_hex(token);
  if (!key) return unauthorized("Invalid API credentials");
  if (!constant_time_equals(key->token_hash, presented) || key->kind != kind) {
    return unauthorized("Invalid API credentials");
  }
  return std::move(*key);
}

Result<Principal> KeyService::authenticate_server(std::string_view app_id, std::string_view token) {
  OP_ASSIGN(ApiKey key, verify(app_id, token, KeyKind::kServer));
  return Principal{key.project_id, key.id, key.kind, key.role};
}

Result<Principal> KeyService::authenticate_client(std::string_view app_id, std::string_view token,
                                                  std::string_view origin) {
  OP_ASSIGN(ApiKey key, verify(app_id, token, KeyKind::kClient));
  bool allowed = false;
  for (const auto& o : key.allowed_origins) {
    if (o == "*" || (!origin.empty() && o == origin)) allowed = true;
  }
  if (!allowed) return unauthorized("Origin not allowed for this client key");
  return Principal{key.project_id, key.id, key.kind, key.role};
}

}  // namespace openpromo
