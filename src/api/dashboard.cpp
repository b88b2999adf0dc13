// The dashboard and the demo store (issue 20): their sign-in API under /dashboard/api/, their
// static files (web/dashboard/, web/demo/), and the session a browser then calls /v1 with.
//
// The pages never hold an API key. They sign in here, get an HttpOnly SameSite=Strict cookie
// and a CSRF token (returned in the body, kept in page memory), and call the same /v1 routes
// the SDKs do with the cookie; every write must echo the CSRF token in `X-CSRF-Token`.
#include <boost/json/object.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/app.h"
#include "api/json_codec.h"
#include "core/crypto.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kSessionCookie = "op_session";
constexpr std::string_view kSessionPath = "/dashboard/api/session";
constexpr std::string_view kUsersPath = "/dashboard/api/users";

bool under(std::string_view path, std::string_view prefix) {
  return path == prefix || (path.starts_with(prefix) && path[prefix.size()] == '/');
}

// The value of cookie `name` in a Cookie header, or empty.
std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return {};
}

std::string_view content_type_of(std::string_view file) {
  const size_t dot = file.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : file.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "json") return "application/json";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  return "application/octet-stream";
}

// Only plain names: letters, digits, `-`, `_`, and dots inside a name (no `..`, no hidden
// files), so a path can never leave the web root.
bool safe_relative_path(std::string_view rel) {
  if (rel.empty() || rel.size() > 200) return false;
  size_t start = 0;
  while (start <= rel.size()) {
    const size_t end = std::min(rel.find('/', start), rel.size());
    const std::string_view part = rel.substr(start, end - start);
    if (part.empty() || part.front() == '.') return false;
    for (char c : part) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
        return false;
      }
    }
    start = end + 1;
  }
  return true;
}

void add_page_headers(HttpResponse& r) {
  // Everything comes from this server: no inline script, no request leaving the machine.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                         "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  r.headers.emplace_back("Cache-Control", "no-cache");
}

// A restricted user's own areas and stores (the pages offer them as the reach of the campaigns
// it creates, since it may not list areas).
json::object session_json(const DashboardUser& user, const std::string& csrf, Instant expires,
                          const AreaGrants* grants) {
  json::object o;
  o["object"] = "dashboard_session";
  json::object u{{"id", user.id},
                 {"email", user.email},
                 {"role", std::string(to_string(user.role))},
                 {"project_id", user.project_id}};
  if (grants) {
    auto ids = [](const std::vector<std::string>& v) {
      json::array a;
      for (const auto& id : v) a.emplace_back(id);
      return a;
    };
    u["assignments"] = json::object{{"areas_ids", ids(grants->areas)},
                                    {"area_stores_ids", ids(grants->stores)},
                                    {"area_all_stores_ids", ids(grants->all_stores_of)}};
  }
  o["user"] = std::move(u);
  o["csrf_token"] = csrf;
  o["expires_at"] = format_iso8601(expires);
  return o;
}

// `Secure` when the page came over HTTPS through a proxy (`X-Forwarded-Proto: https`): the
// server itself speaks plain HTTP on loopback, where a Secure cookie would never be sent back.
std::string session_cookie(const HttpRequest& request, std::string_view token,
                           int64_t max_age_seconds) {
  std::string cookie =
      std::string(kSessionCookie) + "=" + std::string(token) +
      "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds);
  if (request.header("x-forwarded-proto") == "https") cookie += "; Secure";
  return cookie;
}

// What a viewer may call besides reads (spec 18.7: read and export), by route pattern, never
// by the raw path (a code or a name may be "export"). Validating and qualifying a cart change
// nothing, unless a validation asks for a session lock, which reserves codes.
bool viewer_may_post(std::string_view pattern) {
  for (std::string_view allowed :
       {"/v1/exports", "/v1/orders/export", "/v1/vouchers/{code}/transactions/export",
        "/v1/campaigns/{campaignId}/transactions/export", "/v1/validations",
        "/v1/qualifications"}) {
    if (pattern == allowed) return true;
  }
  return false;
}

}  // namespace

bool App::is_dashboard_path(std::string_view path) {
  return under(path, "/dashboard") || under(path, "/demo");
}

Result<std::optional<DashboardService::Session>> App::dashboard_session(
    const HttpRequest& request) {
  const std::string_view token = cookie_value(request.header("cookie"), kSessionCookie);
  if (token.empty()) return std::optional<DashboardService::Session>{};
  OP_ASSIGN(auto session, services_.dashboard.authenticate(token));
  const bool reads = request.method == "GET" || request.method == "HEAD";
  if (!reads && !constant_time_equals(request.header("x-csrf-token"), session.session.csrf_token)) {
    return missing_permission("A signed-in write needs the session's X-CSRF-Token header");
  }
  return std::optional<DashboardService::Session>(std::move(session));
}

Result<Principal> App::session_principal(const HttpRequest& request, std::string_view pattern) {
  OP_ASSIGN(auto session, dashboard_session(request));
  if (!session) return unauthorized("Missing API credentials");
  if (session->user.role == DashboardRole::kViewer) {
    const bool reads = request.method == "GET" || request.method == "HEAD";
    if (!reads && !(request.method == "POST" && viewer_may_post(pattern))) {
      return missing_permission("A viewer may read and export, not change");
    }
    if (pattern == "/v1/validations" && !request.body.empty()) {
      auto body = parse_object_body(request.body);
      const auto* lock = body.ok() ? body->if_contains("session") : nullptr;
      if (lock && !lock->is_null()) {
        return missing_permission(
            "A viewer's validation cannot open a session (it reserves codes)");
      }
    }
  }
  return std::move(session->principal);
}

HttpResponse App::serve_dashboard(const HttpRequest& request, const std::string& request_id,
                                  const std::string*& route_label) {
  static const std::string kSessionLabel(kSessionPath);
  static const std::string kPageLabel = "/dashboard (page)";
  const std::string_view path = request.path();
  if (path == kSessionPath) {
    route_label = &kSessionLabel;
    Result<Reply> reply = [&]() -> Result<Reply> {
      if (request.method == "POST") {
        if (!is_json_content_type(request.header("content-type"))) {
          return Error{415,
                       "unsupported_media_type",
                       "Unsupported media type",
                       "Send the request body as application/json",
                       {},
                       {}};
        }
        OP_ASSIGN(auto body, parse_object_body(request.body));
        OP_ASSIGN(auto email, read_string(body, "email"));
        OP_ASSIGN(auto password, read_string(body, "password"));
        OP_ASSIGN(auto in, services_.dashboard.sign_in(email.value_or(""), password.value_or("")));
        OP_ASSIGN(const Principal who, services_.keys.principal_of(in.user.key_app_id));
        Reply r{200,
                serialize(session_json(in.user, in.csrf_token, in.expires_at, who.grants.get()))};
        r.headers.emplace_back("Set-Cookie",
                               session_cookie(request, in.cookie_token,
                                              std::chrono::duration_cast<std::chrono::seconds>(
                                                  DashboardService::kSessionLifetime)
                                                  .count()));
        return r;
      }
      if (request.method == "GET") {
        OP_ASSIGN(auto session, dashboard_session(request));
        if (!session) return unauthorized("Not signed in");
        return Reply{200, serialize(session_json(session->user, session->session.csrf_token,
                                                 session->session.expires_at,
                                                 session->principal.grants.get()))};
      }
      if (request.method == "DELETE") {
        // A live session needs its CSRF token to end; an expired or unknown one only has its
        // cookie cleared.
        auto session = dashboard_session(request);
        if (!session.ok() && session.error().code == 403) return session.error();
        if (session.ok() && *session) {
          OP_TRY(
              services_.dashboard.sign_out(cookie_value(request.header("cookie"), kSessionCookie)));
        }
        Reply r{204};
        r.headers.emplace_back("Set-Cookie", session_cookie(request, "", 0));
        return r;
      }
      Error e{405,
              "method_not_allowed",
              "Method not allowed",
              "Allowed methods for this path: GET, POST, DELETE",
              {},
              {}};
      return e;
    }();
    if (!reply.ok()) return fail(reply.error(), request_id);
    HttpResponse r;
    r.status = reply->status;
    r.body = std::move(reply->body);
    r.headers = std::move(reply->headers);
    r.headers.emplace_back("Cache-Control", "no-store");
    r.content_type = r.status == 204 ? std::string() : std::move(reply->content_type);
    return r;
  }

  if (path == kUsersPath) {
    static const std::string kUsersLabel(kUsersPath);
    route_label = &kUsersLabel;
    Result<Reply> reply = [&]() -> Result<Reply> {
      if (request.method != "GET") {
        return Error{405,
                     "method_not_allowed",
                     "Method not allowed",
                     "Allowed methods for this path: GET",
                     {},
                     {}};
      }
      OP_ASSIGN(auto session, dashboard_session(request));
      if (!session) return unauthorized("Not signed in");
      OP_ASSIGN(auto users, services_.dashboard.users(session->principal));
      json::array data;
      for (const auto& [user, assignments] : users) {
        json::array assigned;
        for (const AccessAssignment& a : assignments) {
          assigned.push_back(json::object{
              {"area_id", a.area_id},
              {"area_store_id",
               a.area_store_id.empty() ? json::value(nullptr) : json::value(a.area_store_id)},
              {"all_stores", a.all_stores}});
        }
        data.push_back(json::object{{"id", user.id},
                                    {"email", user.email},
                                    {"role", std::string(to_string(user.role))},
                                    {"created_at", format_iso8601(user.created_at)},
                                    {"assignments", std::move(assigned)}});
      }
      json::object o{{"object", "list"}, {"data_ref", "data"}, {"total", data.size()}};
      o["data"] = std::move(data);
      return Reply{200, serialize(o)};
    }();
    if (!reply.ok()) return fail(reply.error(), request_id);
    HttpResponse r;
    r.status = reply->status;
    r.body = std::move(reply->body);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  route_label = &kPageLabel;
  auto not_found = [&] {
    return fail(
        Error{404, "not_found", "Resource not found", "No page at " + std::string(path), {}, {}},
        request_id);
  };
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = fail(
        Error{405, "method_not_allowed", "Method not allowed", "Pages are read with GET", {}, {}},
        request_id);
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (path == "/dashboard" || path == "/demo") {
    HttpResponse r;
    r.status = 301;
    r.content_type.clear();
    r.headers.emplace_back("Location", std::string(path) + "/");
    return r;
  }
  if (options_.web_root.empty()) return not_found();
  std::string rel(path.substr(1));  // "dashboard/..." or "demo/..."
  if (rel.back() == '/') rel += "index.html";
  if (!safe_relative_path(rel)) return not_found();
  const std::string file = options_.web_root + "/" + rel;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return not_found();  // directories too
  std::ifstream in(file, std::ios::binary);
  if (!in) return not_found();
  std::ostringstream content;
  content << in.rdbuf();
  HttpResponse r;
  r.status = 200;
  r.body = std::move(content).str();
  r.content_type = std::string(content_type_of(rel));
  add_page_headers(r);
  return r;
}

}  // namespace openpromo::api
