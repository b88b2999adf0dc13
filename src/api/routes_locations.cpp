// Locations (spec 15): the contract's GET /v1/locations[/{locationId}], and ours to write them
// (POST, PUT, DELETE), since the reference draws them only in its dashboard.
#include <boost/json/object.hpp>

#include "api/app.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

json::object location_json(const Location& l) {
  json::object o;
  o["id"] = l.id;
  o["object"] = "location";
  o["name"] = l.name;
  o["shape"] = l.shape;
  o["created_at"] = format_iso8601(l.created_at);
  o["updated_at"] = time_or_null(l.updated_at);
  return o;
}

Result<std::pair<std::optional<std::string>, std::optional<Json>>> read_location(
    const json::object& body) {
  OP_ASSIGN(auto name, read_string(body, "name"));
  std::optional<Json> shape;
  if (const json::value* s = body.if_contains("shape"); s && !s->is_null()) shape = *s;
  return std::pair{std::move(name), std::move(shape)};
}

}  // namespace

void add_location_routes(Router<Route>& router, Services& s) {
  router.add("GET", "/v1/locations",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, s.locations.list(ctx.principal, query));
                     return Reply{200, serialize(list_json(page, location_json, "data"))};
                   }});
  router.add("GET", "/v1/locations/{locationId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto l,
                               s.locations.get(ctx.principal, ctx.params.get("locationId")));
                     return Reply{200, serialize(location_json(l))};
                   }});
  router.add("POST", "/v1/locations",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto in, read_location(body));
                     OP_ASSIGN(auto l, s.locations.create(ctx.principal, in.first, in.second));
                     return Reply{200, serialize(location_json(l))};
                   }});
  router.add("PUT", "/v1/locations/{locationId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto in, read_location(body));
                     OP_ASSIGN(auto l,
                               s.locations.update(ctx.principal, ctx.params.get("locationId"),
                                                  in.first, in.second));
                     return Reply{200, serialize(location_json(l))};
                   }});
  router.add("DELETE", "/v1/locations/{locationId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(s.locations.remove(ctx.principal, ctx.params.get("locationId")));
                     return Reply{204, ""};
                   }});
}

}  // namespace openpromo::api
