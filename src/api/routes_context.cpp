// /v1/orders, /v1/segments, /v1/product-collections, /v1/events and the customer sub-resources
// that read them (activity, segments, permanent deletion): contract tags orders, segments,
// product-collections, events and customers.
#include <algorithm>
#include <boost/json/object.hpp>

#include "api/app.h"
#include "api/context_codec.h"
#include "api/customer_codec.h"
#include "api/json_codec.h"
#include "api/order_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

// The contract answers POST /orders/import with 200 (the customer bulk endpoints with 202).
Reply import_started(const std::string& id) {
  return Reply{200, serialize(json::object{{"async_action_id", id}})};
}

}  // namespace

void add_context_routes(Router<Route>& router, Services& services) {
  Services& s = services;

  // ---- orders ----
  router.add("POST", "/v1/orders",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_order_input(body, kOrderEndpointKeys));
                     OP_ASSIGN(Order o, s.orders.upsert(ctx.principal, input));
                     return Reply{200, serialize(order_json(o))};
                   }});
  router.add("GET", "/v1/orders",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, s.orders.list(ctx.principal, query));
                     return Reply{200, serialize(list_json(page, order_json, "orders"))};
                   }});
  router.add("GET", "/v1/orders/{orderId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(Order o, s.orders.get(ctx.principal, ctx.params.get("orderId")));
                     return Reply{200, serialize(order_json(o))};
                   }});
  router.add("PUT", "/v1/orders/{orderId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_order_input(body, kOrderEndpointKeys));
                     OP_ASSIGN(Order o,
                               s.orders.update(ctx.principal, ctx.params.get("orderId"), input));
                     return Reply{200, serialize(order_json(o))};
                   }});
  router.add("POST", "/v1/orders/import",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_array_body(ctx.request.body));
                     OP_ASSIGN(auto id, s.orders.enqueue_import(ctx.principal, body));
                     return import_started(id);
                   }});

  // ---- segments ----
  router.add("POST", "/v1/segments",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_segment_input(body));
                     OP_ASSIGN(Segment seg, s.segments.create(ctx.principal, input));
                     return Reply{200, serialize(segment_json(seg))};
                   }});
  router.add("GET", "/v1/segments/{segmentId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(Segment seg,
                               s.segments.get(ctx.principal, ctx.params.get("segmentId")));
                     return Reply{200, serialize(segment_json(seg))};
                   }});
  router.add("GET", "/v1/segments",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, s.segments.list(ctx.principal, query));
                     return Reply{200, serialize(list_json(page, segment_json, "data"))};
                   }});
  router.add("DELETE", "/v1/segments/{segmentId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(s.segments.remove(ctx.principal, ctx.params.get("segmentId")));
                     return Reply{204, ""};
                   }});
  router.add("GET", "/v1/customers/{customerId}/segments",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto segments,
                               s.segments.segments_of(ctx.principal, ctx.params.get("customerId")));
                     json::array data;
                     for (const Segment& seg : segments) {
                       data.push_back(
                           json::object{{"id", seg.id}, {"name", seg.name}, {"object", "segment"}});
                     }
                     json::object out{{"object", "list"}, {"data_ref", "data"}};
                     out["total"] = data.size();
                     out["data"] = std::move(data);
                     return Reply{200, serialize(out)};
                   }});

  // ---- product collections ----
  router.add("POST", "/v1/product-collections",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_collection_input(body));
                     OP_ASSIGN(auto c, s.collections.create(ctx.principal, input));
                     return Reply{200, serialize(collection_json(c))};
                   }});
  router.add("GET", "/v1/product-collections",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, s.collections.list(ctx.principal, query));
                     return Reply{200, serialize(list_json(page, collection_json, "data"))};
                   }});
  router.add("GET", "/v1/product-collections/{collectionId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto c,
                               s.collections.get(ctx.principal, ctx.params.get("collectionId")));
                     return Reply{200, serialize(collection_json(c))};
                   }});
  router.add("DELETE", "/v1/product-collections/{collectionId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(s.collections.remove(ctx.principal, ctx.params.get("collectionId")));
                     return Reply{204, ""};
                   }});
  router.add("GET", "/v1/product-collections/{collectionId}/products",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page,
                               s.collections.products(ctx.principal, ctx.params.get("collectionId"),
                                                      query));
                     return Reply{200, serialize(list_json(page, collection_member_json, "data"))};
                   }});

  // ---- events and customer activity ----
  auto track = [&s](Context& ctx) -> Result<Reply> {
    OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
    OP_ASSIGN(auto event, read_event(body));
    OP_ASSIGN(auto out, s.customers.track_event(ctx.principal, event));
    return Reply{200, serialize(event_json(out))};
  };
  router.add("POST", "/v1/events", Route{Auth::kServer, track});
  router.add("POST", "/client/v1/events", Route{Auth::kClient, track});
  auto activity = [&s](Context& ctx) -> Result<Reply> {
    OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
    if (!ctx.query.get("order")) query.descending = true;  // newest first, as Voucherify
    if (auto after = ctx.query.get("starting_after_id")) query.starting_after_id = *after;
    OP_ASSIGN(auto page, s.customers.activity(ctx.principal, ctx.params.get("customerId"), query));
    return Reply{200, serialize(list_json(page, activity_json, "data"))};
  };
  router.add("GET", "/v1/customers/{customerId}/activity", Route{Auth::kServer, activity});
  router.add("GET", "/v1/customers/{customerId}/activities", Route{Auth::kServer, activity});
  // ---- metadata schemas ----
  router.add("GET", "/v1/metadata-schemas",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto schemas, s.metadata_schemas.list(ctx.principal));
                     json::array data;
                     for (const auto& m : schemas) data.push_back(metadata_schema_json(m));
                     json::object out{{"object", "list"}, {"data_ref", "schemas"}};
                     out["total"] = data.size();
                     out["schemas"] = std::move(data);
                     return Reply{200, serialize(out)};
                   }});
  router.add("GET", "/v1/metadata-schemas/{resource}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto m,
                               s.metadata_schemas.get(ctx.principal, ctx.params.get("resource")));
                     return Reply{200, serialize(metadata_schema_json(m))};
                   }});
  // Management API (spec 16.5): the path's project must be the key's project; `me` names it
  // (ours: no endpoint tells a key its project id yet).
  auto same_project = [](const Context& ctx) -> Status {
    const std::string_view project = ctx.params.get("projectId");
    if (project != "me" && project != ctx.principal.project_id) {
      return Error::not_found("project", std::string(ctx.params.get("projectId")));
    }
    return {};
  };
  router.add("GET", "/management/v1/projects/{projectId}",
             Route{Auth::kServer, [&s, same_project](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto p, s.keys.project(ctx.principal));
                     return Reply{200, serialize(project_json(p))};
                   }});
  router.add("PUT", "/management/v1/projects/{projectId}",
             Route{Auth::kServer, [&s, same_project](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     KeyService::ProjectSettings in;
                     OP_ASSIGN(in.name, read_string(body, "name"));
                     OP_ASSIGN(in.time_zone, read_string(body, "timezone"));
                     OP_ASSIGN(in.currency, read_string(body, "currency"));
                     OP_ASSIGN(auto week, read_integer(body, "week_start"));
                     if (week) in.week_start = static_cast<int>(std::clamp<int64_t>(*week, -1, 7));
                     for (auto [key, field] :
                          {std::pair{"client_redeem_enabled", &in.client_redeem_enabled},
                           std::pair{"client_publish_enabled", &in.client_publish_enabled}}) {
                       const auto* v = body.if_contains(key);
                       if (!v || v->is_null()) continue;
                       if (!v->is_bool()) {
                         return Error::invalid_payload(std::string(key) + " must be a boolean");
                       }
                       *field = v->as_bool();
                     }
                     OP_ASSIGN(auto p, s.keys.update_project(ctx.principal, in));
                     return Reply{200, serialize(project_json(p))};
                   }});
  // Stacking rules (spec 10.1): the project's one set.
  auto stacking_json = [](const StackingSettings& st) {
    json::object o;
    o["id"] = st.id;
    for (const auto& [k, v] : st.definition) o[k] = v;
    o["created_at"] = format_iso8601(st.created_at);
    if (st.updated_at) o["updated_at"] = format_iso8601(*st.updated_at);
    return o;
  };
  const std::string stacking = "/management/v1/projects/{projectId}/stacking-rules";
  router.add("POST", stacking,
             Route{Auth::kServer, [&s, same_project, stacking_json](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto st, s.stacking.create(ctx.principal, body));
                     return Reply{200, serialize(stacking_json(st))};
                   }});
  router.add("GET", stacking,
             Route{Auth::kServer, [&s, same_project, stacking_json](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto all, s.stacking.list(ctx.principal));
                     json::array data;
                     for (const auto& st : all) data.push_back(stacking_json(st));
                     json::object out{{"object", "list"}, {"data_ref", "data"}};
                     out["total"] = data.size();
                     out["data"] = std::move(data);
                     return Reply{200, serialize(out)};
                   }});
  router.add("GET", stacking + "/{stackingRulesId}",
             Route{Auth::kServer, [&s, same_project, stacking_json](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto st,
                               s.stacking.get(ctx.principal, ctx.params.get("stackingRulesId")));
                     return Reply{200, serialize(stacking_json(st))};
                   }});
  router.add("PUT", stacking + "/{stackingRulesId}",
             Route{Auth::kServer, [&s, same_project, stacking_json](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto st, s.stacking.update(ctx.principal,
                                                          ctx.params.get("stackingRulesId"), body));
                     return Reply{200, serialize(stacking_json(st))};
                   }});
  router.add("DELETE", stacking + "/{stackingRulesId}",
             Route{Auth::kServer, [&s, same_project](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_TRY(s.stacking.remove(ctx.principal, ctx.params.get("stackingRulesId")));
                     return Reply{204, ""};
                   }});
  const std::string base = "/management/v1/projects/{projectId}/metadata-schemas";
  router.add("POST", base, Route{Auth::kServer, [&s, same_project](Context& ctx) -> Result<Reply> {
                                   OP_TRY(same_project(ctx));
                                   OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                                   OP_ASSIGN(auto input, read_metadata_schema_input(body));
                                   OP_ASSIGN(auto m,
                                             s.metadata_schemas.create(ctx.principal, input));
                                   return Reply{200, serialize(metadata_schema_json(m))};
                                 }});
  router.add("GET", base, Route{Auth::kServer, [&s, same_project](Context& ctx) -> Result<Reply> {
                                  OP_TRY(same_project(ctx));
                                  OP_ASSIGN(auto schemas, s.metadata_schemas.list(ctx.principal));
                                  json::array data;
                                  for (const auto& m : schemas)
                                    data.push_back(metadata_schema_json(m));
                                  json::object out{{"object", "list"}, {"data_ref", "data"}};
                                  out["total"] = data.size();
                                  out["data"] = std::move(data);
                                  return Reply{200, serialize(out)};
                                }});
  router.add("GET", base + "/{schemaId}",
             Route{Auth::kServer, [&s, same_project](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto m,
                               s.metadata_schemas.get(ctx.principal, ctx.params.get("schemaId")));
                     return Reply{200, serialize(metadata_schema_json(m))};
                   }});
  router.add("PUT", base + "/{schemaId}",
             Route{Auth::kServer, [&s, same_project](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_metadata_schema_input(body));
                     OP_ASSIGN(auto m, s.metadata_schemas.update(
                                           ctx.principal, ctx.params.get("schemaId"), input));
                     return Reply{200, serialize(metadata_schema_json(m))};
                   }});
  router.add("DELETE", base + "/{schemaId}",
             Route{Auth::kServer, [&s, same_project](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_TRY(s.metadata_schemas.remove(ctx.principal, ctx.params.get("schemaId")));
                     return Reply{204, ""};
                   }});

  router.add("POST", "/v1/customers/{customerId}/permanent-deletion",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto out, s.customers.delete_permanently(
                                             ctx.principal, ctx.params.get("customerId")));
                     return Reply{200, serialize(erasure_json(out))};
                   }});
}

}  // namespace openpromo::api
