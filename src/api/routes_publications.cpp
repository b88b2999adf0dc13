// Publications (contract tag publications, spec 12): POST /v1/publications, its query-string twin
// GET /v1/publications/create, the list, and the client-side POST /client/v1/publish that a
// project must enable.
#include "api/app.h"
#include "api/campaign_codec.h"
#include "api/customer_codec.h"
#include "api/json_codec.h"
#include "core/crypto.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

// {voucher: code} or {campaign: {name|id, count} | "name or id"}, customer, source_id, channel,
// metadata. `hash_basis` identifies the request (a source id reused for another is refused).
Result<PublicationInput> decode_publication(const json::object& body, bool join_once) {
  PublicationInput in;
  in.join_once = join_once;
  // The SDK's create(params) cannot send the query flag; `join_once: true` in the body (ours)
  // means the same.
  OP_ASSIGN(auto body_once, read_bool(body, "join_once"));
  if (body_once && *body_once) in.join_once = true;
  OP_ASSIGN(in.voucher, read_string(body, "voucher"));
  if (const auto* c = body.if_contains("campaign"); c && !c->is_null()) {
    if (c->is_string()) {
      in.campaign = std::string(c->as_string());
    } else if (c->is_object()) {
      const json::object& co = c->as_object();
      OP_ASSIGN(auto name, read_string(co, "name"));
      OP_ASSIGN(auto id, read_string(co, "id"));
      in.campaign = name ? name : id;
      if (!in.campaign || in.campaign->empty()) {
        return Error::invalid_payload("campaign must have a name or an id");
      }
      OP_ASSIGN(auto count, read_integer(co, "count"));
      if (count) in.count = *count;
    } else {
      return Error::invalid_payload("campaign must be an object {name, count} or a name");
    }
  }
  const auto* customer = body.if_contains("customer");
  if (!customer || !customer->is_object()) {
    return Error::invalid_payload("customer is required: an object with an id or a source_id");
  }
  OP_ASSIGN(in.customer, read_customer_draft(customer->as_object()));
  OP_ASSIGN(in.source_id, read_string(body, "source_id"));
  OP_ASSIGN(in.channel, read_string(body, "channel"));
  if (const auto* m = body.if_contains("metadata"); m && !m->is_null()) {
    if (!m->is_object()) return Error::invalid_payload("metadata must be an object");
    in.metadata = m->as_object();
  }
  in.request_hash = sha256_hex(serialize(body) + (join_once ? "\njoin_once" : ""));
  return in;
}

// `{id}` or `{name}` objects, or the reference itself as a string.
Result<std::string> reference(const json::object& body, const char* field) {
  const auto* v = body.if_contains(field);
  if (v && v->is_string() && !v->as_string().empty()) return std::string(v->as_string());
  if (v && v->is_object()) {
    OP_ASSIGN(auto id, read_string(v->as_object(), "id"));
    OP_ASSIGN(auto name, read_string(v->as_object(), "name"));
    if (id && !id->empty()) return *id;
    if (name && !name->empty()) return *name;
  }
  return Error::invalid_payload(std::string(field) + " is required: an id, or an object {id}");
}

bool join_once_of(const Context& ctx) {
  const auto flag = ctx.query.get("join_once");
  return flag && *flag == "true";
}

Result<Reply> publish(Services& s, Context& ctx, const json::object& body) {
  OP_ASSIGN(PublicationInput in, decode_publication(body, join_once_of(ctx)));
  OP_ASSIGN(auto view, s.publications.publish(ctx.principal, in));
  return Reply{200, serialize(publication_json(view))};
}

}  // namespace

void add_publication_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  router.add("POST", "/v1/publications", Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                                                 OP_ASSIGN(auto body,
                                                           parse_object_body(ctx.request.body));
                                                 return publish(s, ctx, body);
                                               }});
  // The query-string twin: voucher, campaign (a name), source_id, customer (an id or source id),
  // metadata as JSON text.
  router.add("GET", "/v1/publications/create",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     json::object body;
                     for (const char* key : {"voucher", "campaign", "source_id", "channel"}) {
                       if (auto v = ctx.query.get(key)) body[key] = *v;
                     }
                     if (auto c = ctx.query.get("customer")) {
                       body["customer"] = c->starts_with("cust_") ? json::object{{"id", *c}}
                                                                  : json::object{{"source_id", *c}};
                     }
                     if (auto m = ctx.query.get("metadata")) {
                       auto parsed = parse_object_body(*m);
                       if (!parsed.ok())
                         return Error::invalid_query_params("metadata must be a JSON object");
                       body["metadata"] = std::move(parsed).value();
                     }
                     return publish(s, ctx, body);
                   }});
  router.add("POST", "/client/v1/publish",
             Route{Auth::kClient, [&s](Context& ctx) -> Result<Reply> {
                     if (!ctx.principal.project.client_publish_enabled) {
                       return Error{
                           403,         "client_publication_disabled",
                           "Forbidden", "Client-side publication is not enabled for this project",
                           {},          {}};
                     }
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     if (auto c = ctx.query.get("campaign")) body["campaign"] = *c;
                     if (!body.contains("channel")) body["channel"] = "Voucherify.js";
                     return publish(s, ctx, body);
                   }});
  // Ours: one code of a campaign to every customer of a segment, as an async action
  // (GET /v1/async-actions/{id} shows its progress). Body {campaign, segment, channel?}.
  router.add("POST", "/v1/publications/bulk/async",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     SegmentPublicationInput in;
                     OP_ASSIGN(in.campaign, reference(body, "campaign"));
                     OP_ASSIGN(in.segment, reference(body, "segment"));
                     OP_ASSIGN(in.channel, read_string(body, "channel"));
                     OP_ASSIGN(auto id, s.publications.enqueue_segment(ctx.principal, in));
                     return Reply{202, serialize(json::object{{"async_action_id", id}})};
                   }});
  router.add(
      "GET", "/v1/publications",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
              PublicationFilter f;
              f.campaign_id = ctx.query.get("campaign");
              f.customer_id = ctx.query.get("customer");
              f.voucher = ctx.query.get("voucher");
              f.result = ctx.query.get("result");
              f.voucher_type = ctx.query.get("voucher_type");
              f.source_id = ctx.query.get("source_id");
              if (auto r = ctx.query.get("is_referral_code")) {
                if (*r != "true" && *r != "false") {
                  return Error::invalid_query_params("is_referral_code must be true or false");
                }
                f.is_referral_code = *r == "true";
              }
              OP_ASSIGN(auto page, s.publications.list(ctx.principal, f, query));
              return Reply{200, serialize(list_json(page, publication_json, "publications"))};
            }});
}

}  // namespace openpromo::api
