// Exports (contract tag exports, spec 13.5): POST/GET/DELETE /v1/exports, the CSV download, and
// the shortcuts that export one object kind with a fixed filter (a voucher's or a campaign's
// transactions, orders).
//
// The download is GET /v1/exports/{id}?token=...: the same path as the export object (the
// reference serves it on a download host), told apart by the token, and it still needs the API
// credentials.
#include "api/app.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

json::object export_json(const Export& e) {
  json::object o;
  o["id"] = e.id;
  o["object"] = "export";
  o["created_at"] = format_iso8601(e.created_at);
  o["status"] = e.status;
  o["channel"] = e.channel;
  o["exported_object"] = e.exported_object;
  o["parameters"] = e.parameters;
  o["result"] =
      e.status == "DONE" ? json::value(json::object{{"url", ExportService::url_of(e)}}) : nullptr;
  o["user_id"] = e.user_id ? json::value(*e.user_id) : json::value(nullptr);
  if (e.status == "DONE") o["rows"] = e.row_count;  // ours: how many data rows the CSV holds
  if (e.error) o["error"] = json::object{{"message", *e.error}};
  return o;
}

// Where the caller reached us, for result.url: the Host it sent (with the scheme a proxy in
// front says it used).
std::string base_url_of(const HttpRequest& request) {
  std::string_view host = request.header("host");
  if (host.empty()) host = "127.0.0.1";
  const std::string_view proto = request.header("x-forwarded-proto");
  return std::string(proto == "https" ? "https://" : "http://") + std::string(host);
}

Result<JsonObject> parameters_of(const json::object& body) {
  const json::value* p = body.if_contains("parameters");
  if (!p || p->is_null()) return JsonObject{};
  if (!p->is_object()) return Error::invalid_payload("parameters must be an object");
  return p->as_object();
}

// An export of `object` whose filters always include `field` = `value` (what the shortcut
// routes are about), besides those the caller sent.
Result<Reply> create_scoped(Context& ctx, Services& s, std::string object,
                            std::optional<std::pair<std::string, std::string>> fixed) {
  json::object body;
  if (!ctx.request.body.empty()) {
    OP_ASSIGN(body, parse_object_body(ctx.request.body));
  }
  OP_ASSIGN(JsonObject parameters, parameters_of(body));
  if (fixed) {
    JsonObject filters;
    if (const json::value* f = parameters.if_contains("filters"); f && f->is_object()) {
      filters = f->as_object();
    }
    if (filters.contains("junction") && filters.at("junction").is_string() &&
        (filters.at("junction").as_string() == "or" ||
         filters.at("junction").as_string() == "OR")) {
      return Error::invalid_payload(
          "parameters.filters.junction must be \"and\" here: the export is always of this " +
          std::string(fixed->first == "voucher_id" ? "voucher" : "campaign"));
    }
    filters[fixed->first] = json::object{
        {"conditions", json::object{{"$in", json::array{json::value(fixed->second)}}}}};
    parameters["filters"] = std::move(filters);
  }
  OP_ASSIGN(Export e,
            s.exports.create(ctx.principal, ExportRequest{std::move(object), std::move(parameters),
                                                          base_url_of(ctx.request)}));
  return Reply{200, serialize(export_json(e))};
}

}  // namespace

void add_export_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  router.add("POST", "/v1/exports",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto object, read_string(body, "exported_object"));
                     if (!object || object->empty()) {
                       return Error::invalid_payload("exported_object is required");
                     }
                     OP_ASSIGN(JsonObject parameters, parameters_of(body));
                     OP_ASSIGN(Export e,
                               s.exports.create(ctx.principal,
                                                ExportRequest{*object, std::move(parameters),
                                                              base_url_of(ctx.request)}));
                     return Reply{200, serialize(export_json(e))};
                   }});
  router.add("GET", "/v1/exports",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, s.exports.list(ctx.principal, query));
                     return Reply{200, serialize(list_json(page, export_json, "exports"))};
                   }});
  router.add("GET", "/v1/exports/{exportId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     const std::string_view id = ctx.params.get("exportId");
                     if (auto token = ctx.query.get("token")) {
                       OP_ASSIGN(ExportFile f, s.exports.download(ctx.principal, id, *token));
                       Reply r;
                       r.content_type = "text/csv; charset=utf-8";
                       r.body_file = std::move(f.path);
                       r.headers.emplace_back("Content-Disposition",
                                              "attachment; filename=\"" + f.file_name + "\"");
                       return r;
                     }
                     OP_ASSIGN(Export e, s.exports.get(ctx.principal, id));
                     return Reply{200, serialize(export_json(e))};
                   }});
  router.add("DELETE", "/v1/exports/{exportId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(s.exports.remove(ctx.principal, ctx.params.get("exportId")));
                     return Reply{204, ""};
                   }});

  router.add("POST", "/v1/vouchers/{code}/transactions/export",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto v, s.vouchers.get(ctx.principal, ctx.params.get("code")));
                     return create_scoped(ctx, s, "voucher_transactions",
                                          std::pair{std::string("voucher_id"), v.voucher.id});
                   }});
  router.add("POST", "/v1/campaigns/{campaignId}/transactions/export",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto c,
                               s.campaigns.get(ctx.principal, ctx.params.get("campaignId")));
                     return create_scoped(ctx, s, "voucher_transactions",
                                          std::pair{std::string("campaign_id"), c.campaign.id});
                   }});
  router.add("POST", "/v1/orders/export", Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                                                  return create_scoped(ctx, s, "order",
                                                                       std::nullopt);
                                                }});
}

}  // namespace openpromo::api
