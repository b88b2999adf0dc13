// /v1/customers (contract tag customers).
#include <boost/json/object.hpp>

#include "api/app.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

Result<CustomerDraft> read_customer(const json::object& body) {
  CustomerDraft d;
  OP_ASSIGN(d.id, read_string(body, "id"));
  OP_ASSIGN(d.source_id, read_string(body, "source_id"));
  OP_ASSIGN(d.name, read_string(body, "name"));
  OP_ASSIGN(d.description, read_string(body, "description"));
  OP_ASSIGN(d.email, read_string(body, "email"));
  OP_ASSIGN(d.phone, read_string(body, "phone"));
  OP_ASSIGN(d.birthdate, read_string(body, "birthdate"));
  if (!d.birthdate) {
    OP_ASSIGN(d.birthdate, read_string(body, "birthday"));  // deprecated spelling
  }
  d.address = read_any(body, "address");
  d.metadata = read_any(body, "metadata");
  return d;
}

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
                     OP_ASSIGN(auto draft, read_customer(body));
                     OP_ASSIGN(auto c, s.customers.upsert(ctx.principal, draft));
                     return Reply{200, serialize(customer_json(s, ctx.principal, c))};
                   }});
  router.add(
      "GET", "/v1/customers",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
              for (const char* field : {"email", "name", "source_id"}) {
                if (auto v = ctx.query.get(field)) {
                  query.filters.push_back(FilterCondition{field, FilterOp::kIs, {*v}});
                }
              }
              OP_ASSIGN(auto page, s.customers.list(ctx.principal, query));
              return Reply{
                  200,
                  serialize(list_json(
                      page, [&](const Customer& c) { return customer_json(s, ctx.principal, c); },
                      "customers"))};
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
                     OP_ASSIGN(auto draft, read_customer(body));
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
