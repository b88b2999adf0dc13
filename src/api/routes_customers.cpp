// /v1/customers (contract tag customers).
#include <boost/json/object.hpp>

#include "api/app.h"
#include "api/customer_codec.h"
#include "api/json_codec.h"

namespace openpromo::api {

void add_customer_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  auto details = [](const CustomerDetails& c) { return customer_json(c); };
  router.add("POST", "/v1/customers",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto draft, read_customer_draft(body));
                     OP_ASSIGN(auto c, s.customers.upsert(ctx.principal, draft));
                     return Reply{200, serialize(customer_json(c))};
                   }});
  router.add("GET", "/v1/customers",
             Route{Auth::kServer, [&s, details](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     for (const char* field : {"email", "name", "source_id"}) {
                       if (auto v = ctx.query.get(field)) {
                         query.required.push_back(FilterCondition{field, FilterOp::kIs, {*v}});
                       }
                     }
                     OP_ASSIGN(auto page, s.customers.list(ctx.principal, query));
                     return Reply{200, serialize(list_json(page, details, "customers"))};
                   }});
  router.add("GET", "/v1/customers/{customerId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto c,
                               s.customers.get(ctx.principal, ctx.params.get("customerId")));
                     return Reply{200, serialize(customer_json(c))};
                   }});
  router.add("PUT", "/v1/customers/{customerId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto draft, read_customer_draft(body));
                     OP_ASSIGN(auto c, s.customers.update(ctx.principal,
                                                          ctx.params.get("customerId"), draft));
                     return Reply{200, serialize(customer_json(c))};
                   }});
  router.add("DELETE", "/v1/customers/{customerId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(s.customers.remove(ctx.principal, ctx.params.get("customerId")));
                     return Reply{204, ""};
                   }});
}

}  // namespace openpromo::api
