// Areas and stores (spec 14.1): /v1/areas[/{areaId}] and /v1/areas/{areaId}/stores[/{storeId}],
// the same under /management/v1/projects/{projectId}/areas (the path's project must be the
// key's, or `me`), and ours to create API keys with a role, restricted ones assigned to areas
// and stores: POST /management/v1/projects/{projectId}/api-keys.
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "api/app.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

json::object area_json(const Area& a) {
  json::object o;
  o["id"] = a.id;
  o["name"] = a.name;
  o["created_at"] = format_iso8601(a.created_at);
  o["updated_at"] = time_or_null(a.updated_at);
  o["object"] = "area";
  return o;
}

json::object store_json(const AreaStore& st) {
  json::object o;
  o["id"] = st.id;
  o["area_id"] = st.area_id;
  o["name"] = st.name;
  o["created_at"] = format_iso8601(st.created_at);
  o["updated_at"] = time_or_null(st.updated_at);
  o["object"] = "area_store";
  return o;
}

Status same_project(const Context& ctx) {
  const std::string_view project = ctx.params.get("projectId");  // empty under /v1
  if (project.empty()) return {};
  if (project != "me" && project != ctx.principal.project_id) {
    return Error::not_found("project", std::string(project));
  }
  return {};
}

// The `name` of an area or store body (create and rename take nothing else).
Result<std::optional<std::string>> name_in_body(const Context& ctx) {
  OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
  return read_string(body, "name");
}

Result<AssignmentIds> read_assignment_ids(const json::object& body) {
  AssignmentIds out;
  for (auto [key, target] :
       {std::pair{"areas_ids", &out.areas_ids}, std::pair{"area_stores_ids", &out.area_stores_ids},
        std::pair{"area_all_stores_ids", &out.area_all_stores_ids}}) {
    const json::value* v = body.if_contains(key);
    if (!v || v->is_null()) continue;
    if (!v->is_array())
      return Error::invalid_payload(std::string(key) + " must be an array of ids");
    for (const json::value& id : v->as_array()) {
      if (!id.is_string() || id.as_string().empty()) {
        return Error::invalid_payload(std::string(key) + " must list non-empty id strings");
      }
      target->emplace_back(id.as_string());
    }
  }
  return out;
}

void add_area_routes_under(Router<Route>& router, Services& s, const std::string& base) {
  router.add("GET", base, Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                                  OP_TRY(same_project(ctx));
                                  OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                                  OP_ASSIGN(auto page, s.areas.list(ctx.principal, query));
                                  return Reply{200, serialize(list_json(page, area_json, "data"))};
                                }});
  router.add("POST", base, Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                                   OP_TRY(same_project(ctx));
                                   OP_ASSIGN(auto name, name_in_body(ctx));
                                   OP_ASSIGN(auto a,
                                             s.areas.create(ctx.principal, std::move(name)));
                                   return Reply{200, serialize(area_json(a))};
                                 }});
  router.add("GET", base + "/{areaId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto a, s.areas.get(ctx.principal, ctx.params.get("areaId")));
                     return Reply{200, serialize(area_json(a))};
                   }});
  router.add("PUT", base + "/{areaId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto name, name_in_body(ctx));
                     OP_ASSIGN(auto a, s.areas.update(ctx.principal, ctx.params.get("areaId"),
                                                      std::move(name)));
                     return Reply{200, serialize(area_json(a))};
                   }});
  router.add("DELETE", base + "/{areaId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_TRY(s.areas.remove(ctx.principal, ctx.params.get("areaId")));
                     return Reply{204, ""};
                   }});
  const std::string stores = base + "/{areaId}/stores";
  router.add("GET", stores,
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page,
                               s.areas.list_stores(ctx.principal, ctx.params.get("areaId"), query));
                     return Reply{200, serialize(list_json(page, store_json, "data"))};
                   }});
  router.add("POST", stores, Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                                     OP_TRY(same_project(ctx));
                                     OP_ASSIGN(auto name, name_in_body(ctx));
                                     OP_ASSIGN(auto st, s.areas.create_store(
                                                            ctx.principal, ctx.params.get("areaId"),
                                                            std::move(name)));
                                     return Reply{200, serialize(store_json(st))};
                                   }});
  router.add("GET", stores + "/{areaStoreId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto st, s.areas.get_store(ctx.principal, ctx.params.get("areaId"),
                                                          ctx.params.get("areaStoreId")));
                     return Reply{200, serialize(store_json(st))};
                   }});
  router.add("PUT", stores + "/{areaStoreId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_ASSIGN(auto name, name_in_body(ctx));
                     OP_ASSIGN(auto st, s.areas.update_store(
                                            ctx.principal, ctx.params.get("areaId"),
                                            ctx.params.get("areaStoreId"), std::move(name)));
                     return Reply{200, serialize(store_json(st))};
                   }});
  router.add("DELETE", stores + "/{areaStoreId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(same_project(ctx));
                     OP_TRY(s.areas.remove_store(ctx.principal, ctx.params.get("areaId"),
                                                 ctx.params.get("areaStoreId")));
                     return Reply{204, ""};
                   }});
}

}  // namespace

void add_area_routes(Router<Route>& router, Services& s) {
  add_area_routes_under(router, s, "/v1/areas");
  add_area_routes_under(router, s, "/management/v1/projects/{projectId}/areas");

  // Ours: {role: admin|user|restricted, type?: server|client, allowed_origins?: [...],
  // assignments?: {areas_ids, area_stores_ids, area_all_stores_ids}} -> the key, its token shown
  // once. Admin keys only.
  router.add(
      "POST", "/management/v1/projects/{projectId}/api-keys",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_TRY(same_project(ctx));
              OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
              OP_ASSIGN(auto role_text, read_string(body, "role"));
              const auto role = role_from_string(role_text.value_or(""));
              if (!role) return Error::invalid_payload("role must be admin, user or restricted");
              OP_ASSIGN(auto type, read_string(body, "type"));
              const auto kind = key_kind_from_string(type.value_or("server"));
              if (!kind || *kind == KeyKind::kManagement) {
                return Error::invalid_payload("type must be server or client");
              }
              std::vector<std::string> origins;
              if (const json::value* o = body.if_contains("allowed_origins"); o && !o->is_null()) {
                if (!o->is_array())
                  return Error::invalid_payload("allowed_origins must be an array");
                for (const json::value& v : o->as_array()) {
                  if (!v.is_string()) {
                    return Error::invalid_payload("allowed_origins must list origin strings");
                  }
                  origins.emplace_back(v.as_string());
                }
              }
              AssignmentIds ids;
              if (const json::value* a = body.if_contains("assignments"); a && !a->is_null()) {
                if (!a->is_object()) return Error::invalid_payload("assignments must be an object");
                OP_ASSIGN(ids, read_assignment_ids(a->as_object()));
              }
              OP_ASSIGN(auto created,
                        s.keys.create_for(ctx.principal, *kind, *role, std::move(origins), ids));
              json::object out;
              out["id"] = created.key.id;
              out["object"] = "api_key";
              out["type"] = to_string(created.key.kind);
              out["role"] = to_string(created.key.role);
              out["project_id"] = created.key.project_id;
              out["app_id"] = created.key.app_id;
              out["app_token"] = created.token;
              if (created.key.kind == KeyKind::kClient) {
                json::array list;
                for (const auto& o : created.key.allowed_origins) list.emplace_back(o);
                out["allowed_origins"] = std::move(list);
              }
              out["created_at"] = format_iso8601(created.key.created_at);
              return Reply{200, serialize(out)};
            }});
}

}  // namespace openpromo::api
