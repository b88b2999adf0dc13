#include "api/app.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <chrono>
#include <exception>

#include "api/campaign_codec.h"
#include "api/json_codec.h"
#include "api/json_writer.h"
#include "api/multipart.h"
#include "core/crypto.h"

namespace openpromo::api {
namespace {

constexpr std::string_view kClientPrefix = "/client/v1/";

bool is_client_path(std::string_view path) {
  return path.starts_with(kClientPrefix) || path == "/client/v1";
}

constexpr std::string_view kManagementPrefix = "/management/v1/";

// The token of `Authorization: Bearer <token>` (scheme case-insensitive), or empty.
std::string_view bearer_token(std::string_view authorization) {
  if (authorization.size() <= 7) return {};
  std::string scheme(authorization.substr(0, 7));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return {};
  std::string_view token = authorization.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return token;
}

// Whether OAuth `scopes` open `path`: `api` the whole server API (and the management API of
// the token's project), `client_api` the whole client API, any other name the paths starting
// with it (`vouchers` -> /v1/vouchers..., `client_vouchers` -> /client/v1/vouchers...), and
// `validation-rules-assignments` the rules' assignment paths.
bool oauth_scope_allows(const std::vector<std::string>& scopes, std::string_view path) {
  const bool client = is_client_path(path);
  std::string_view rest = path;
  if (client) {
    rest.remove_prefix(std::min(rest.size(), kClientPrefix.size()));
  } else if (rest.starts_with("/v1/")) {
    rest.remove_prefix(4);
  } else {
    rest = {};
  }
  const std::string_view segment = rest.substr(0, rest.find('/'));
  for (const std::string& s : scopes) {
    if (s == (client ? "client_api" : "api")) return true;
    if (segment.empty()) continue;
    if (client ? (s.starts_with("client_") && s.substr(7) == segment) : s == segment) return true;
    if (!client && s == "validation-rules-assignments" && segment == "validation-rules" &&
        rest.find("/assignments") != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

HttpResponse error_response(const Error& error, const std::string& request_id) {
  HttpResponse r;
  r.status = error.code;
  r.body = error_json(error, request_id);
  return r;
}

// Methods become metric labels: anything outside the known set is counted as OTHER, so a client
// cannot grow the metrics without bound.
std::string_view metric_method(std::string_view m) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (m == known) return known;
  }
  return "OTHER";
}

void add_cors_headers(HttpResponse& r, std::string_view origin) {
  if (origin.empty()) return;
  r.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  r.headers.emplace_back("Vary", "Origin");
}

}  // namespace

// `application/json` with optional parameters (`; charset=utf-8`), case-insensitive.
bool is_json_content_type(std::string_view value) {
  const auto semi = value.find(';');
  std::string_view media = value.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  while (!media.empty() && media.front() == ' ') media.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  if (media.size() != kJson.size()) return false;
  for (size_t i = 0; i < media.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != kJson[i]) return false;
  }
  return true;
}

CatalogCacheOptions App::catalog_options(CatalogCacheOptions base) {
  // Fail closed, and loudly: every broken definition a snapshot load finds is logged and counted.
  base.on_broken = [this](const std::string& project, const std::string& what,
                          std::string_view kind) {
    metrics_.unreadable_definition(kind);
    log_error("unreadable definition", "project " + project + ": " + what);
  };
  return base;
}

App::App(Store& store, AppOptions options)
    : options_(options),
      log_(options.log_stream),
      services_(store, catalog_options(options.catalog), options.exports_dir) {
  add_system_routes(router_, services_, metrics_, draining_);
  add_category_routes(router_, services_);
  add_campaign_routes(router_, services_);
  add_voucher_routes(router_, services_);
  add_promotion_routes(router_, services_);
  add_customer_routes(router_, services_);
  add_product_routes(router_, services_);
  add_validation_routes(router_, services_);
  add_redemption_routes(router_, services_);
  add_publication_routes(router_, services_);
  add_holder_routes(router_, services_);
  add_context_routes(router_, services_);
  add_bulk_routes(router_, services_);
  add_export_routes(router_, services_);
  add_auth_routes(router_, services_);
  add_location_routes(router_, services_);
  add_area_routes(router_, services_);
  add_template_routes(router_, services_);
}

HttpResponse App::handle(const HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = new_id("v-");
  const std::string* route_label = nullptr;
  std::string key_id;
  HttpResponse response;
  try {
    response = dispatch(request, request_id, route_label, key_id);
  } catch (const std::exception& e) {
    response = error_response(Error::internal("unexpected failure"), request_id);
    log_error("handler threw", std::string(e.what()) + " (request " + request_id + ")");
  }
  response.headers.emplace_back("X-Request-Id", request_id);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  const std::string_view label = route_label ? std::string_view(*route_label) : "unmatched";
  metrics_.observe(metric_method(request.method), label, response.status, micros);
  if (options_.access_log) {
    log_access(request, request_id, label, response.status, micros, key_id);
  }
  return response;
}

void App::log_error(std::string_view msg, std::string_view what) {
  std::string text;
  JsonWriter line(text);
  line.begin_object()
      .field("time", format_iso8601(now_utc()))
      .field("level", "error")
      .field("msg", msg)
      .field("what", what)
      .end_object();
  text += '\n';
  log_.write(text);
  log_.flush();
}

HttpResponse App::fail(const Error& error, const std::string& request_id) {
  if (error.code < 500) return error_response(error, request_id);
  // Server-side failures may carry SQL or driver text: log it, tell the client only the id.
  log_error(error.key, error.details + " (request " + request_id + ")");
  Error generic = error;
  generic.details = "See the server log for request " + request_id;
  return error_response(generic, request_id);
}

HttpResponse App::reject(const Error& error, std::string_view method, std::string_view remote) {
  const std::string request_id = new_id("v-");
  HttpResponse response = error_response(error, request_id);
  response.headers.emplace_back("X-Request-Id", request_id);
  response.close_connection = true;
  metrics_.observe(metric_method(method), "rejected", error.code, 0);
  if (options_.access_log) {
    HttpRequest unparsed;
    unparsed.method = std::string(method);
    unparsed.remote_address = std::string(remote);
    log_access(unparsed, request_id, "rejected", error.code, 0, {});
  }
  return response;
}

HttpResponse App::dispatch(const HttpRequest& request, const std::string& request_id,
                           const std::string*& route_label, std::string& key_id) {
  const std::string_view path = request.path();
  if (is_dashboard_path(path)) return serve_dashboard(request, request_id, route_label);
  const bool client = is_client_path(path);
  const std::string_view origin = request.header("origin");

  // CORS preflight for the client API: browsers send it without credentials.
  if (client && request.method == "OPTIONS") {
    HttpResponse r;
    r.status = 204;
    r.content_type.clear();
    add_cors_headers(r, origin.empty() ? "*" : origin);
    r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    r.headers.emplace_back(
        "Access-Control-Allow-Headers",
        "Content-Type, X-Client-Application-Id, X-Client-Token, X-Voucherify-Channel, "
        "X-Voucherify-API-Version, X-Voucherify-OAuth, Authorization");
    r.headers.emplace_back("Access-Control-Max-Age", "600");
    return r;
  }

  auto finish = [&](HttpResponse r) {
    if (client) add_cors_headers(r, origin);
    return r;
  };

  // HEAD is GET without the body; the server drops the body bytes.
  auto match = router_.match(request.method == "HEAD" ? "GET" : request.method, path);
  if (!match.target) {
    if (match.bad_encoding) {
      return finish(
          fail(Error::invalid_payload("The path has a malformed percent-encoding"), request_id));
    }
    if (!match.allowed_methods.empty()) {
      std::string allowed;
      for (const auto& m : match.allowed_methods) allowed += (allowed.empty() ? "" : ", ") + m;
      HttpResponse r = fail(Error{405,
                                  "method_not_allowed",
                                  "Method not allowed",
                                  "Allowed methods for this path: " + allowed,
                                  {},
                                  {}},
                            request_id);
      r.headers.emplace_back("Allow", allowed);
      return finish(std::move(r));
    }
    return finish(fail(Error{404,
                             "not_found",
                             "Resource not found",
                             "No route for " + request.method + " " + std::string(path),
                             {},
                             {}},
                       request_id));
  }
  route_label = match.pattern;
  const Route& route = *match.target;

  Principal principal;
  const std::string_view bearer = bearer_token(request.header("authorization"));
  const bool management_path = path.starts_with(kManagementPrefix);
  const bool management_key = !request.header("x-management-id").empty();
  if (route.auth == Auth::kManagement || (management_path && management_key)) {
    auto who = services_.keys.authenticate_management(request.header("x-management-id"),
                                                      request.header("x-management-token"),
                                                      match.params.get("projectId"));
    if (!who.ok()) return finish(fail(who.error(), request_id));
    principal = std::move(*who);
  } else if ((route.auth == Auth::kServer || route.auth == Auth::kClient) && !bearer.empty()) {
    // An OAuth token stands for its key, narrowed to its scopes (spec 4.2).
    auto who = services_.keys.authenticate_bearer(bearer, origin);
    if (!who.ok()) return finish(fail(who.error(), request_id));
    const KeyKind wanted = route.auth == Auth::kClient ? KeyKind::kClient : KeyKind::kServer;
    if (who->kind != wanted) {
      return finish(fail(unauthorized("This OAuth token was issued for a " +
                                      std::string(to_string(who->kind)) + " key"),
                         request_id));
    }
    if (!oauth_scope_allows(*who->oauth_scopes, path)) {
      return finish(
          fail(missing_permission("The OAuth token's scope does not cover " + std::string(path)),
               request_id));
    }
    principal = std::move(*who);
  } else if (route.auth == Auth::kServer && request.header("x-app-id").empty() &&
             !request.header("cookie").empty()) {
    // A signed-in dashboard page (api/dashboard.cpp): the user's own key, by its session.
    auto who = session_principal(request, *match.pattern);
    if (!who.ok()) return finish(fail(who.error(), request_id));
    principal = std::move(*who);
  } else if (route.auth == Auth::kServer) {
    auto who = services_.keys.authenticate_server(request.header("x-app-id"),
                                                  request.header("x-app-token"));
    if (!who.ok()) return finish(fail(who.error(), request_id));
    principal = std::move(*who);
  } else if (route.auth == Auth::kClient) {
    auto who = services_.keys.authenticate_client(request.header("x-client-application-id"),
                                                  request.header("x-client-token"), origin);
    if (!who.ok()) return finish(fail(who.error(), request_id));
    principal = std::move(*who);
  }
  key_id = principal.key_id;
  principal.request_id = request_id;

  const std::string_view content_type = request.header("content-type");
  if (!request.body.empty() && !is_json_content_type(content_type) &&
      !(route.accepts_multipart && multipart_boundary(content_type)) &&
      !(route.accepts_form &&
        content_type.find("application/x-www-form-urlencoded") != std::string_view::npos)) {
    return finish(fail(Error{415,
                             "unsupported_media_type",
                             "Unsupported media type",
                             "Send the request body as application/json",
                             {},
                             {}},
                       request_id));
  }

  Context ctx{request, match.params, principal, request_id, QueryParams::parse(request.query())};
  Result<Reply> reply = route.handler(ctx);
  if (!reply.ok()) return finish(fail(reply.error(), request_id));
  HttpResponse r;
  r.status = reply->status;
  r.body = std::move(reply->body);
  r.body_file = std::move(reply->body_file);
  r.headers = std::move(reply->headers);
  r.content_type = r.status == 204 ? std::string() : std::move(reply->content_type);
  return finish(std::move(r));
}

void App::serve_jobs(JobRunner& jobs) {
  jobs.add_handler(
      std::string(kExportJob),
      [this](const Principal& who, AsyncAction& action, const std::atomic<bool>& stopping,
             const std::function<Status(AsyncAction&)>& checkpoint) {
        return services_.exports.run(who, action, stopping, checkpoint);
      });
  // A large campaign update: the request as sent, read again by the same codec.
  jobs.add_handler(
      std::string(kCampaignUpdate),
      [this](const Principal& who, AsyncAction& action, const std::atomic<bool>& /*stopping*/,
             const std::function<Status(AsyncAction&)>& /*checkpoint*/) -> Status {
        const Json* request = action.payload.if_contains("request");
        if (!request || !request->is_object()) {
          return Error::internal("malformed " + std::string(kCampaignUpdate) + " payload");
        }
        OP_ASSIGN(auto input, read_campaign_input(request->as_object()));
        return services_.campaigns.run_update(who, action, input);
      });
}

void App::log_access(const HttpRequest& request, const std::string& request_id,
                     std::string_view route, int status, int64_t micros, std::string_view key_id) {
  std::string text;
  text.reserve(256);
  JsonWriter line(text);
  line.begin_object()
      .field("time", format_iso8601(now_utc()))
      .field("msg", "request")
      .field("request_id", request_id)
      .field("method", request.method)
      .field("route", route)
      .field("path", request.path())
      .field("status", status)
      .field("latency_us", micros);
  if (!key_id.empty()) line.field("key_id", key_id);  // the key's id, never its token
  if (!request.remote_address.empty()) line.field("remote", request.remote_address);
  line.end_object();
  text += '\n';
  log_.write(text);  // whole lines: they never mix
}

}  // namespace openpromo::api
