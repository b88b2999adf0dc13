// OAuth 2.0 tokens (`/v1/oauth/token`, `/revoke`, `/v1/oauth/introspect`) and the project list of
// the management API (`/management/v1/projects`). The App authenticates a Bearer token or a
// management key on every other route; here the credentials of the token request itself are read.
#include <algorithm>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "api/app.h"
#include "api/json_codec.h"
#include "api/query_string.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

// RFC 4648 base64 (with or without padding); none when malformed.
std::optional<std::string> base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

// A form (`application/x-www-form-urlencoded`, what OAuth clients send) or JSON body, as fields.
Result<std::map<std::string, std::string>> read_fields(const HttpRequest& request) {
  std::map<std::string, std::string> out;
  const std::string_view type = request.header("content-type");
  if (type.find("application/x-www-form-urlencoded") != std::string_view::npos) {
    const QueryParams form = QueryParams::parse(request.body);
    for (const char* key : {"grant_type", "scope", "access_token", "token"}) {
      if (auto v = form.get(key)) out[key] = *v;
    }
    return out;
  }
  OP_ASSIGN(auto body, parse_object_body(request.body));
  for (const auto& [key, value] : body) {
    if (value.is_string()) out[std::string(key)] = std::string(value.as_string());
  }
  return out;
}

// The key a token request comes with: X-App-Id/X-App-Token, the client pair (with its origin),
// or HTTP Basic `app_id:token` (server key first, then client key). Also returns the app id.
Result<std::pair<Principal, std::string>> token_requester(Services& s, const HttpRequest& request) {
  if (!request.header("x-app-id").empty()) {
    OP_ASSIGN(Principal who, s.keys.authenticate_server(request.header("x-app-id"),
                                                        request.header("x-app-token")));
    return std::pair{std::move(who), std::string(request.header("x-app-id"))};
  }
  if (!request.header("x-client-application-id").empty()) {
    OP_ASSIGN(Principal who, s.keys.authenticate_client(request.header("x-client-application-id"),
                                                        request.header("x-client-token"),
                                                        request.header("origin")));
    return std::pair{std::move(who), std::string(request.header("x-client-application-id"))};
  }
  std::string_view auth = request.header("authorization");
  if (auth.size() > 6 && (auth.substr(0, 6) == "Basic " || auth.substr(0, 6) == "basic ")) {
    auto decoded = base64_decode(auth.substr(6));
    const size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) return unauthorized("Malformed Basic credentials");
    const std::string app_id = decoded->substr(0, colon);
    const std::string token = decoded->substr(colon + 1);
    if (auto server = s.keys.authenticate_server(app_id, token); server.ok()) {
      return std::pair{std::move(*server), app_id};
    }
    OP_ASSIGN(Principal who, s.keys.authenticate_client(app_id, token, request.header("origin")));
    return std::pair{std::move(who), app_id};
  }
  return unauthorized("Missing API credentials");
}

json::object token_json(const OAuthToken& t, const std::string* access_token) {
  json::object o;
  if (access_token) o["access_token"] = *access_token;
  o["client_id"] = t.app_id;
  o["expires_at"] = t.expires_at.millis / 1000;
  // Seconds left, rounded up: a token just issued says 900, as the reference does.
  o["expires_in"] = std::max<int64_t>(0, (t.expires_at.millis - now_utc().millis + 999) / 1000);
  o["scope"] = t.scope;
  o["token_type"] = "Bearer";
  return o;
}

}  // namespace

void add_auth_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  Route token{Auth::kNone, [&s](Context& ctx) -> Result<Reply> {
                OP_ASSIGN(auto requester, token_requester(s, ctx.request));
                OP_ASSIGN(auto fields, read_fields(ctx.request));
                OP_ASSIGN(auto issued, s.keys.issue_token(requester.first, requester.second,
                                                          fields["grant_type"], fields["scope"]));
                return Reply{200, serialize(token_json(issued.stored, &issued.access_token))};
              }};
  token.accepts_form = true;
  router.add("POST", "/v1/oauth/token", token);

  Route revoke{Auth::kNone, [&s](Context& ctx) -> Result<Reply> {
                 OP_ASSIGN(auto requester, token_requester(s, ctx.request));
                 OP_ASSIGN(auto fields, read_fields(ctx.request));
                 const std::string& value =
                     fields.contains("access_token") ? fields["access_token"] : fields["token"];
                 if (value.empty()) return Error::invalid_payload("access_token is required");
                 // Revoking an unknown or already revoked token is not an error (RFC 7009).
                 OP_ASSIGN(const bool revoked, s.keys.revoke_token(requester.first, value));
                 (void)revoked;
                 return Reply{200, "{}"};
               }};
  revoke.accepts_form = true;
  router.add("POST", "/v1/oauth/token/revoke", revoke);

  Route introspect{Auth::kNone, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto requester, token_requester(s, ctx.request));
                     OP_ASSIGN(auto fields, read_fields(ctx.request));
                     const std::string& value = fields["access_token"];
                     if (value.empty()) return Error::invalid_payload("access_token is required");
                     OP_ASSIGN(auto found, s.keys.find_token(requester.first, value));
                     // Unknown, revoked and expired tokens are all just inactive.
                     const bool active =
                         found && !found->revoked_at && found->expires_at.millis > now_utc().millis;
                     json::object o = found ? token_json(*found, &value) : json::object{};
                     o["active"] = active;
                     return Reply{200, serialize(o)};
                   }};
  introspect.accepts_form = true;
  router.add("POST", "/v1/oauth/introspect", introspect);

  // Management API: the projects of this server (management keys only).
  router.add("GET", "/management/v1/projects",
             Route{Auth::kManagement, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto projects, s.keys.projects(ctx.principal));
                     json::array data;
                     for (const Project& p : projects) data.push_back(project_json(p));
                     json::object o;
                     o["object"] = "list";
                     o["data_ref"] = "data";
                     o["total"] = static_cast<int64_t>(data.size());
                     o["data"] = std::move(data);
                     return Reply{200, serialize(o)};
                   }});
  router.add(
      "POST", "/management/v1/projects",
      Route{Auth::kManagement, [&s](Context& ctx) -> Result<Reply> {
              OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
              OP_ASSIGN(auto name, read_string(body, "name"));
              KeyService::ProjectSettings settings;
              OP_ASSIGN(settings.time_zone, read_string(body, "timezone"));
              OP_ASSIGN(settings.currency, read_string(body, "currency"));
              OP_ASSIGN(settings.client_redeem_enabled, read_bool(body, "client_redeem_enabled"));
              OP_ASSIGN(settings.client_publish_enabled, read_bool(body, "client_publish_enabled"));
              OP_ASSIGN(auto created, s.keys.create_project_with_keys(ctx.principal,
                                                                      name.value_or(""), settings));
              json::object o = project_json(created.project);
              // Shown once, as the reference does; only digests are stored.
              o["server_side_key"] = json::object{{"app_id", created.server_key.key.app_id},
                                                  {"app_token", created.server_key.token}};
              o["client_side_key"] = json::object{{"app_id", created.client_key.key.app_id},
                                                  {"app_token", created.client_key.token}};
              return Reply{200, serialize(o)};
            }});
}

}  // namespace openpromo::api
