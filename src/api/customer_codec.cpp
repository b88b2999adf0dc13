#include "api/customer_codec.h"

#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

Json text_or_null(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json(nullptr);
}

json::object customer_ref(const Customer& c) {
  return json::object{
      {"id", c.id}, {"source_id", text_or_null(c.source_id)}, {"object", "customer"}};
}

}  // namespace

// Order and redemption counters are real; loyalty and referral counters are zero until those
// programs exist (their issues).
json::object customer_json(const Customer& c, const CustomerSummary& counters) {
  const OrderSummary& orders = counters.orders;
  const CustomerRedemptionSummary& r = counters.redemptions;
  json::object out;
  out["id"] = c.id;
  out["source_id"] = text_or_null(c.source_id);
  out["name"] = text_or_null(c.name);
  out["description"] = text_or_null(c.description);
  out["email"] = text_or_null(c.email);
  out["phone"] = text_or_null(c.phone);
  out["birthdate"] = text_or_null(c.birthdate);
  out["address"] = c.definition.contains("address") ? c.definition.at("address") : Json(nullptr);
  json::object redemptions{{"total_redeemed", r.total_redeemed},
                           {"total_failed", r.total_failed},
                           {"total_succeeded", r.total_succeeded},
                           {"total_rolled_back", r.total_rolled_back},
                           {"total_rollback_failed", r.total_rollback_failed},
                           {"total_rollback_succeeded", r.total_rollback_succeeded}};
  redemptions["gift"] =
      json::object{{"redeemed_amount", r.gift_redeemed_amount}, {"amount_to_go", 0}};
  redemptions["loyalty_card"] = json::object{{"redeemed_points", 0}, {"points_to_go", 0}};
  json::object summary;
  summary["redemptions"] = std::move(redemptions);
  json::object order_counters{
      {"total_amount", orders.total_amount},
      {"total_count", orders.total_count},
      {"average_amount",
       orders.total_count == 0 ? int64_t{0} : orders.total_amount / orders.total_count},
      {"last_order_amount", orders.last_order_amount}};
  if (orders.last_order_date) {
    order_counters["last_order_date"] = format_iso8601(*orders.last_order_date);
  }
  summary["orders"] = std::move(order_counters);
  out["summary"] = std::move(summary);
  out["loyalty"] =
      json::object{{"points", 0}, {"referred_customers", 0}, {"campaigns", json::object{}}};
  out["referrals"] = json::object{{"total", 0}, {"campaigns", json::array{}}};
  // Left out when there is none (never given, or every key removed), as the reference does.
  if (const Json* metadata = c.definition.if_contains("metadata");
      metadata && !(metadata->is_object() && metadata->as_object().empty())) {
    out["metadata"] = *metadata;
  }
  out["system_metadata"] = json::object{};
  out["created_at"] = format_iso8601(c.created_at);
  if (c.updated_at) out["updated_at"] = format_iso8601(*c.updated_at);
  out["object"] = "customer";
  return out;
}

json::object customer_json(const CustomerDetails& c) {
  return customer_json(c.customer, CustomerSummary{c.orders, c.redemptions});
}

json::object activity_json(const CustomerActivity& a) {
  return json::object{{"id", a.id},          {"type", a.type},
                      {"data", a.data},      {"created_at", format_iso8601(a.created_at)},
                      {"group_id", nullptr}, {"object", "customer_activity"}};
}

json::object event_json(const TrackedEvent& e) {
  json::object out;
  out["id"] = e.id;
  out["object"] = "event";
  out["type"] = e.type;
  out["customer"] = customer_ref(e.customer);
  out["referral"] = e.referral.is_null() ? Json(nullptr) : e.referral;
  out["loyalty"] = e.loyalty.is_null() ? Json(nullptr) : e.loyalty;
  out["metadata"] = e.metadata;
  out["created_at"] = format_iso8601(e.created_at);
  return out;
}

json::object erasure_json(const Erasure& e) {
  json::object out;
  out["id"] = e.id;
  out["created_at"] = format_iso8601(e.created_at);
  out["related_object_id"] = e.customer_id;
  out["related_object"] = "customer";
  out["status"] = "DONE";
  out["data_json"] = json::object{{"events", 0},
                                  {"customer_events", e.counts.customer_events},
                                  {"daily_events", 0},
                                  {"segments", e.counts.segments},
                                  {"orders", e.counts.orders},
                                  {"order_events", 0},
                                  {"customer", e.counts.customer}};
  out["object"] = "pernament_deletion";  // sic: Voucherify's spelling on the wire
  return out;
}

Result<CustomerDraft> read_customer_draft(const json::object& body) {
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

Result<EventDraft> read_event(const json::object& body) {
  EventDraft e;
  OP_ASSIGN(auto name, read_string(body, "event"));
  if (!name) return Error::invalid_payload("event is required");
  e.event = *name;
  const json::value* customer = body.if_contains("customer");
  if (!customer || !customer->is_object()) return Error::invalid_payload("customer is required");
  const json::object& c = customer->as_object();
  OP_ASSIGN(e.customer.id, read_string(c, "id"));
  OP_ASSIGN(e.customer.source_id, read_string(c, "source_id"));
  OP_ASSIGN(e.customer.name, read_string(c, "name"));
  OP_ASSIGN(e.customer.email, read_string(c, "email"));
  e.customer.metadata = read_any(c, "metadata");
  e.metadata = read_any(body, "metadata").value_or(nullptr);
  e.referral = read_any(body, "referral").value_or(nullptr);
  e.loyalty = read_any(body, "loyalty").value_or(nullptr);
  return e;
}

}  // namespace openpromo::api
