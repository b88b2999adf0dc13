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

json::value text_or_null(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

// The summary, loyalty and referral counters are zero: this version records no redemptions,
// orders or loyalty activity yet (they come with the redemption and order issues).
json::object customer_json(const Customer& c) {
  json::object out;
  out["id"] = c.id;
  out["source_id"] = text_or_null(c.source_id);
  out["name"] = text_or_null(c.name);
  out["description"] = text_or_null(c.description);
  out["email"] = text_or_null(c.email);
  out["phone"] = text_or_null(c.phone);
  out["birthdate"] = text_or_null(c.birthdate);
  out["address"] =
      c.definition.contains("address") ? c.definition.at("address") : json::value(nullptr);
  json::object redemptions{{"total_redeemed", 0},        {"total_failed", 0},
                           {"total_succeeded", 0},       {"total_rolled_back", 0},
                           {"total_rollback_failed", 0}, {"total_rollback_succeeded", 0}};
  redemptions["gift"] = json::object{{"redeemed_amount", 0}, {"amount_to_go", 0}};
  redemptions["loyalty_card"] = json::object{{"redeemed_points", 0}, {"points_to_go", 0}};
  json::object summary;
  summary["redemptions"] = std::move(redemptions);
  summary["orders"] = json::object{
      {"total_amount", 0}, {"total_count", 0}, {"average_amount", 0}, {"last_order_amount", 0}};
  out["summary"] = std::move(summary);
  out["loyalty"] =
      json::object{{"points", 0}, {"referred_customers", 0}, {"campaigns", json::object{}}};
  out["referrals"] = json::object{{"total", 0}, {"campaigns", json::array{}}};
  out["metadata"] =
      c.definition.contains("metadata") ? c.definition.at("metadata") : json::value(json::object{});
  out["system_metadata"] = json::object{};
  out["created_at"] = format_iso8601(c.created_at);
  if (c.updated_at) out["updated_at"] = format_iso8601(*c.updated_at);
  out["object"] = "customer";
  return out;
}

}  // namespace

void add_customer_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  router.add("POST", "/v1/customers",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto draft, read_customer(body));
                     OP_ASSIGN(auto c, s.customers.upsert(ctx.principal, draft));
                     return Reply{200, serialize(customer_json(c))};
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
                     return Reply{200, serialize(list_json(page, customer_json, "customers"))};
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
                     OP_ASSIGN(auto draft, read_customer(body));
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
