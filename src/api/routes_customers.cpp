// /v1/customers (contract tag customers).
#include <boost/json/object.hpp>

#include "api/app.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

json::object customer_json(Services& s, const Principal& who, const Customer& c) {
  auto view = s.customers.view(who, c);
  return view.ok() ? std::move(*view) : customer_view(c, OrderSummary{});
}

}  // namespace

void add_customer_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  router.add("POST", "/v1/customers",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto draft, customer_draft_from_json(body));
                     OP_ASSIGN(auto c, s.customers.upsert(ctx.principal, draft));
                     return Reply{200, serialize(customer_json(s, ctx.principal, c))};
                   }});
  router.add("GET", "/v1/customers",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     for (const char* field : {"email", "name", "source_id"}) {
                       if (auto v = ctx.query.get(field)) {
                         query.filters.push_back(FilterCondition{field, FilterOp::kIs, {*v}});
                       }
                     }
                     OP_ASSIGN(auto page, s.customers.list(ctx.principal, query));
                     OP_ASSIGN(auto views, s.customers.views(ctx.principal, page.items));
                     Page<JsonObject> shown;
                     shown.items = std::move(views);
                     shown.total = page.total;
                     shown.has_more = page.has_more;
                     return Reply{200,
                                  serialize(list_json(
                                      shown, [](const JsonObject& o) { return o; }, "customers"))};
                   }});
  router.add("GET", "/v1/customers/{customerId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto c,
                               s.customers.get(ctx.principal, ctx.params.get("customerId")));
                     return Reply{200, serialize(customer_json(s, ctx.principal, c))};
                   }});
  router.add("PUT", "/v1/customers/{customerId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto draft, customer_draft_from_json(body));
                     OP_ASSIGN(auto c, s.customers.update(ctx.principal,
                                                          ctx.params.get("customerId"), draft));
                     return Reply{200, serialize(customer_json(s, ctx.principal, c))};
                   }});
  router.add("DELETE", "/v1/customers/{customerId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(s.customers.remove(ctx.principal, ctx.params.get("customerId")));
                     return Reply{204, ""};
                   }});
}

}  // namespace openpromo::api
