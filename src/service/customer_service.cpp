#include "service/customer_service.h"

#include "core/crypto.h"
#include "service/definitions.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"

namespace openpromo {
namespace {

Error invalid_customer(std::string details) {
  return Error{400, "invalid_customer", "Invalid customer", std::move(details), {}, {}};
}

Status check(const CustomerDraft& d) {
  for (const auto* field : {&d.source_id, &d.name, &d.email, &d.phone, &d.description}) {
    if (*field && field->value().size() > 1000) return invalid_customer("a field is too long");
  }
  if (d.source_id && d.source_id->empty()) return invalid_customer("source_id must not be empty");
  if (d.email && !d.email->empty() && d.email->find('@') == std::string::npos) {
    return invalid_customer("email must be an e-mail address");
  }
  if (d.birthdate && !d.birthdate->empty()) {
    if (d.birthdate->size() != 10 || !parse_iso8601(*d.birthdate)) {
      return invalid_customer("birthdate must be a date (YYYY-MM-DD)");
    }
  }
  if (d.address && !d.address->is_null() && !d.address->is_object()) {
    return invalid_customer("address must be an object");
  }
  if (d.metadata) OP_TRY(check_metadata(*d.metadata));
  return {};
}

Json text_or_null(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json(nullptr);
}

}  // namespace

Result<CustomerDraft> customer_draft_from_json(const JsonObject& body) {
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

// Redemption, loyalty and referral counters are zero: this version records no redemptions or
// loyalty activity yet (they come with their issues). Order counters are real.
JsonObject customer_view(const Customer& c, const OrderSummary& orders) {
  JsonObject out;
  out["id"] = c.id;
  out["source_id"] = text_or_null(c.source_id);
  out["name"] = text_or_null(c.name);
  out["description"] = text_or_null(c.description);
  out["email"] = text_or_null(c.email);
  out["phone"] = text_or_null(c.phone);
  out["birthdate"] = text_or_null(c.birthdate);
  out["address"] = c.definition.contains("address") ? c.definition.at("address") : Json(nullptr);
  JsonObject redemptions{{"total_redeemed", 0},        {"total_failed", 0},
                         {"total_succeeded", 0},       {"total_rolled_back", 0},
                         {"total_rollback_failed", 0}, {"total_rollback_succeeded", 0}};
  redemptions["gift"] = JsonObject{{"redeemed_amount", 0}, {"amount_to_go", 0}};
  redemptions["loyalty_card"] = JsonObject{{"redeemed_points", 0}, {"points_to_go", 0}};
  JsonObject summary;
  summary["redemptions"] = std::move(redemptions);
  JsonObject order_counters{
      {"total_amount", orders.total_amount},
      {"total_count", orders.total_count},
      {"average_amount",
       orders.total_count == 0 ? int64_t{0} : orders.total_amount / orders.total_count},
      {"last_order_amount", orders.last_order_amount}};
  if (orders.last_order_date)
    order_counters["last_order_date"] = format_iso8601(*orders.last_order_date);
  summary["orders"] = std::move(order_counters);
  out["summary"] = std::move(summary);
  out["loyalty"] =
      JsonObject{{"points", 0}, {"referred_customers", 0}, {"campaigns", JsonObject{}}};
  out["referrals"] = JsonObject{{"total", 0}, {"campaigns", JsonArray{}}};
  out["metadata"] =
      c.definition.contains("metadata") ? c.definition.at("metadata") : Json(JsonObject{});
  out["system_metadata"] = JsonObject{};
  out["created_at"] = format_iso8601(c.created_at);
  if (c.updated_at) out["updated_at"] = format_iso8601(*c.updated_at);
  out["object"] = "customer";
  return out;
}

Result<Customer> CustomerService::upsert(const Principal& who, const CustomerDraft& draft) {
  OP_TRY(check(draft));
  // A create must carry the schema's required keys; an upsert that finds the customer need not.
  bool creating = !draft.id;
  if (creating && draft.source_id) {
    OP_ASSIGN(auto existing, store_.find_customer(who.project_id, *draft.source_id));
    creating = !existing;
  }
  OP_TRY(check_metadata_schema(store_, who.project_id, "customer",
                               draft.metadata ? *draft.metadata : Json(JsonObject{}), creating));
  if (draft.id) {
    OP_ASSIGN(auto existing, store_.find_customer(who.project_id, *draft.id));
    if (!existing || existing->id != *draft.id) return Error::not_found("customer", *draft.id);
    return update(who, existing->id, draft);
  }
  const Instant now = now_utc();
  OP_ASSIGN(Customer c, store_.upsert_customer(who.project_id, draft, new_id("cust_"), now));
  const bool created = !c.updated_at;
  // An upsert that found the customer merges address and metadata too.
  if (!created && (draft.address || draft.metadata)) {
    CustomerDraft rest;
    rest.address = draft.address;
    rest.metadata = draft.metadata;
    OP_ASSIGN(c, store_.update_customer(who.project_id, c.id, rest, now));
  }
  // An upsert that only names an existing customer (orders, events) changes nothing to record.
  const bool changes = draft.name || draft.description || draft.email || draft.phone ||
                       draft.birthdate || draft.address || draft.metadata;
  if (created || changes) after_write(who, c, created ? "customer.created" : "customer.updated");
  return c;
}

void CustomerService::after_write(const Principal& who, const Customer& c,
                                  std::string_view activity) {
  // The write is committed: what follows is bookkeeping, and its failure does not undo it.
  CustomerActivity a;
  a.id = new_id("evcus_");
  a.project_id = who.project_id;
  a.customer_id = c.id;
  a.type = std::string(activity);
  a.data = JsonObject{
      {"customer",
       JsonObject{{"id", c.id}, {"source_id", text_or_null(c.source_id)}, {"object", "customer"}}}};
  a.created_at = now_utc();
  (void)store_.insert_activity(a);
  changed(who, c.id);
}

void CustomerService::changed(const Principal& who, const std::string& customer_id) {
  if (on_changed_) on_changed_(who, customer_id);
}

Result<Customer> CustomerService::get(const Principal& who, std::string_view id_or_source_id) {
  OP_ASSIGN(auto found, store_.find_customer(who.project_id, id_or_source_id));
  if (!found) return Error::not_found("customer", std::string(id_or_source_id));
  return std::move(*found);
}

Result<Page<Customer>> CustomerService::list(const Principal& who, const ListQuery& query) {
  return store_.list_customers(who.project_id, query);
}

Result<Customer> CustomerService::update(const Principal& who, std::string_view id_or_source_id,
                                         const CustomerDraft& draft) {
  OP_TRY(check(draft));
  if (draft.metadata) {
    OP_TRY(check_metadata_schema(store_, who.project_id, "customer", *draft.metadata, false));
  }
  OP_ASSIGN(Customer c, get(who, id_or_source_id));
  if (draft.source_id && c.source_id && *draft.source_id != *c.source_id) {
    return invalid_customer("a customer's source_id cannot be changed");
  }
  CustomerDraft changes = draft;
  changes.source_id.reset();
  OP_ASSIGN(Customer updated, store_.update_customer(who.project_id, c.id, changes, now_utc()));
  after_write(who, updated, "customer.updated");
  return updated;
}

Status CustomerService::remove(const Principal& who, std::string_view id_or_source_id) {
  OP_TRY(require_admin(who, "delete customers"));
  OP_ASSIGN(Customer c, get(who, id_or_source_id));
  // Spec 16.1: deleting a customer removes its events, orders and segment memberships too.
  OP_TRY(store_.erase_customer(who.project_id, c.id));
  return Status{};
}

Result<OrderSummary> CustomerService::order_summary(const Principal& who, const Customer& c) {
  return store_.order_summary(who.project_id, c.id);
}

Result<std::vector<JsonObject>> CustomerService::views(const Principal& who,
                                                       const std::vector<Customer>& page) {
  std::vector<std::string> ids;
  ids.reserve(page.size());
  for (const Customer& c : page) ids.push_back(c.id);
  OP_ASSIGN(auto summaries, store_.order_summaries(who.project_id, ids));
  std::vector<JsonObject> out;
  out.reserve(page.size());
  for (const Customer& c : page) {
    const auto it = summaries.find(c.id);
    out.push_back(customer_view(c, it == summaries.end() ? OrderSummary{} : it->second));
  }
  return out;
}

Result<JsonObject> CustomerService::view(const Principal& who, const Customer& c) {
  OP_ASSIGN(OrderSummary orders, order_summary(who, c));
  return customer_view(c, orders);
}

Result<JsonObject> CustomerService::track_event(const Principal& who, const EventDraft& event) {
  if (event.event.empty() || event.event.size() > 300) {
    return Error::invalid_payload("event must be a name of 1 to 300 characters");
  }
  if (!event.customer.id && !event.customer.source_id) {
    return Error::invalid_payload("customer needs an id or a source_id");
  }
  if (!event.metadata.is_null()) OP_TRY(check_metadata(event.metadata));
  OP_ASSIGN(Customer c, upsert(who, event.customer));
  const Instant now = now_utc();
  JsonObject out;
  out["id"] = new_id("evcus_");
  out["object"] = "event";
  out["type"] = event.event;
  out["customer"] = JsonObject{{"id", c.id},
                               {"source_id", c.source_id ? Json(*c.source_id) : Json(nullptr)},
                               {"object", "customer"}};
  out["referral"] = event.referral.is_null() ? Json(nullptr) : event.referral;
  out["loyalty"] = event.loyalty.is_null() ? Json(nullptr) : event.loyalty;
  out["metadata"] = event.metadata.is_null() ? Json(JsonObject{}) : event.metadata;
  out["created_at"] = format_iso8601(now);
  CustomerActivity a;
  a.id = out["id"].as_string().c_str();
  a.project_id = who.project_id;
  a.customer_id = c.id;
  a.type = "customer.custom_event";
  a.data = JsonObject{{"event", out}, {"customer", out["customer"]}};
  a.created_at = now;
  OP_TRY(store_.insert_activity(a));
  return out;
}

Result<Page<CustomerActivity>> CustomerService::activity(const Principal& who,
                                                         std::string_view id_or_source_id,
                                                         const ListQuery& query) {
  OP_ASSIGN(Customer c, get(who, id_or_source_id));
  return store_.list_activities(who.project_id, c.id, query);
}

Result<JsonObject> CustomerService::delete_permanently(const Principal& who,
                                                       std::string_view id_or_source_id) {
  OP_TRY(require_admin(who, "delete customers"));
  OP_ASSIGN(Customer c, get(who, id_or_source_id));
  OP_ASSIGN(JsonObject counts, store_.erase_customer(who.project_id, c.id));
  JsonObject out;
  out["id"] = new_id("del_");
  out["created_at"] = format_iso8601(now_utc());
  out["related_object_id"] = c.id;
  out["related_object"] = "customer";
  out["status"] = "DONE";
  out["data_json"] = std::move(counts);
  out["object"] = "pernament_deletion";  // sic: Voucherify's spelling on the wire
  return out;
}

}  // namespace openpromo
