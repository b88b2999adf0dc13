#include "service/customer_service.h"

#include "core/crypto.h"
#include "service/definitions.h"
#include "service/events.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"
#include "service/segment_service.h"
#include "store/customer_repository.h"
#include "store/holder_repository.h"
#include "store/order_repository.h"
#include "store/outbox_repository.h"
#include "store/redemption_repository.h"
#include "store/segment_repository.h"

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

JsonObject customer_ref(const Customer& c) {
  return JsonObject{{"id", c.id}, {"source_id", text_or_null(c.source_id)}, {"object", "customer"}};
}

// Activity, outbox event and segment bookkeeping of a committed-to-be write of `c`.
Status after_write(UnitOfWork& tx, const Principal& who, const Wire& wire, const Customer& c,
                   std::string_view type) {
  CustomerActivity a;
  a.id = new_id("evcus_");
  a.project_id = who.project_id;
  a.customer_id = c.id;
  a.type = std::string(type);
  a.data = JsonObject{{"customer", customer_ref(c)}};
  a.created_at = now_utc();
  OP_TRY(ActivityRepository(tx).insert(who.scope(), a));
  OP_TRY(record_event(tx, who, type, c.id, customer_ref(c)));
  return refresh_segment_membership(tx, who, wire, c);
}

Result<Customer> update_in(UnitOfWork& tx, const Principal& who, const Wire& wire,
                           std::string_view id_or_source_id, const CustomerDraft& draft) {
  OP_TRY(check(draft));
  const Scope scope = who.scope();
  if (draft.metadata) {
    OP_TRY(check_metadata_schema(tx, scope, "customer", *draft.metadata, false));
  }
  OP_ASSIGN(Customer c, find_customer_in(tx, scope, id_or_source_id));
  if (draft.source_id && c.source_id && *draft.source_id != *c.source_id) {
    return invalid_customer("a customer's source_id cannot be changed");
  }
  CustomerDraft changes = draft;
  changes.source_id.reset();
  OP_ASSIGN(Customer updated, CustomerRepository(tx).update(scope, c.id, changes, now_utc()));
  OP_TRY(after_write(tx, who, wire, updated, "customer.updated"));
  return updated;
}

Result<CustomerDetails> details(UnitOfWork& tx, const Scope& scope, Customer c) {
  CustomerDetails out;
  OP_ASSIGN(CustomerSummary summary, customer_summary_in(tx, scope, c.id));
  out.orders = summary.orders;
  out.redemptions = summary.redemptions;
  out.customer = std::move(c);
  return out;
}

}  // namespace

Result<Customer> find_customer_in(UnitOfWork& tx, const Scope& scope,
                                  std::string_view id_or_source_id) {
  OP_ASSIGN(auto found, CustomerRepository(tx).find(scope, id_or_source_id));
  if (!found) return Error::not_found("customer", std::string(id_or_source_id));
  return std::move(*found);
}

Result<CustomerSummary> customer_summary_in(UnitOfWork& tx, const Scope& scope,
                                            std::string_view customer_id) {
  CustomerSummary out;
  OP_ASSIGN(out.orders, OrderRepository(tx).summary(scope, customer_id));
  OP_ASSIGN(out.redemptions, RedemptionRepository(tx).customer_summary(scope, customer_id));
  return out;
}

Result<Customer> upsert_customer_in(UnitOfWork& tx, const Principal& who, const Wire& wire,
                                    const CustomerDraft& draft) {
  OP_TRY(check(draft));
  const Scope scope = who.scope();
  CustomerRepository customers(tx);
  if (draft.id) {
    OP_ASSIGN(auto existing, customers.find(scope, *draft.id));
    if (!existing || existing->id != *draft.id) return Error::not_found("customer", *draft.id);
    OP_TRY(check_metadata_schema(tx, scope, "customer",
                                 draft.metadata ? *draft.metadata : Json(JsonObject{}), false));
    return update_in(tx, who, wire, existing->id, draft);
  }
  // A create must carry the schema's required keys; an upsert that finds the customer need not.
  bool creating = true;
  if (draft.source_id) {
    OP_ASSIGN(auto existing, customers.find(scope, *draft.source_id));
    creating = !existing;
  }
  OP_TRY(check_metadata_schema(tx, scope, "customer",
                               draft.metadata ? *draft.metadata : Json(JsonObject{}), creating));
  const Instant now = now_utc();
  OP_ASSIGN(Customer c, customers.upsert(scope, draft, new_id("cust_"), now));
  const bool created = !c.updated_at;
  // An upsert that found the customer merges address and metadata too.
  if (!created && (draft.address || draft.metadata)) {
    CustomerDraft rest;
    rest.address = draft.address;
    rest.metadata = draft.metadata;
    OP_ASSIGN(c, customers.update(scope, c.id, rest, now));
  }
  // An upsert that only names an existing customer (orders, events) changes nothing to record.
  const bool changes = draft.name || draft.description || draft.email || draft.phone ||
                       draft.birthdate || draft.address || draft.metadata;
  if (created || changes) {
    OP_TRY(after_write(tx, who, wire, c, created ? "customer.created" : "customer.updated"));
  }
  return c;
}

Result<CustomerDetails> CustomerService::upsert(const Principal& who, const CustomerDraft& draft) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<CustomerDetails> {
    OP_ASSIGN(Customer c, upsert_customer_in(tx, who, wire_, draft));
    return details(tx, who.scope(), std::move(c));
  });
}

Result<CustomerDetails> CustomerService::get(const Principal& who,
                                             std::string_view id_or_source_id) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<CustomerDetails> {
    OP_ASSIGN(Customer c, find_customer_in(tx, who.scope(), id_or_source_id));
    return details(tx, who.scope(), std::move(c));
  });
}

Result<Page<CustomerDetails>> CustomerService::list(const Principal& who, const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<CustomerDetails>> {
    OP_ASSIGN(auto page, CustomerRepository(tx).list(who.scope(), query));
    std::vector<std::string> ids;
    ids.reserve(page.items.size());
    for (const Customer& c : page.items) ids.push_back(c.id);
    OP_ASSIGN(auto summaries, OrderRepository(tx).summaries(who.scope(), ids));
    OP_ASSIGN(auto redemptions, RedemptionRepository(tx).customer_summaries(who.scope(), ids));
    Page<CustomerDetails> out;
    out.total = page.total;
    out.has_more = page.has_more;
    for (Customer& c : page.items) {
      const auto it = summaries.find(c.id);
      const auto r = redemptions.find(c.id);
      out.items.push_back(
          CustomerDetails{std::move(c), it == summaries.end() ? OrderSummary{} : it->second,
                          r == redemptions.end() ? CustomerRedemptionSummary{} : r->second});
    }
    return out;
  });
}

Result<CustomerDetails> CustomerService::update(const Principal& who,
                                                std::string_view id_or_source_id,
                                                const CustomerDraft& draft) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<CustomerDetails> {
    OP_ASSIGN(Customer c, update_in(tx, who, wire_, id_or_source_id, draft));
    return details(tx, who.scope(), std::move(c));
  });
}

Status CustomerService::remove(const Principal& who, std::string_view id_or_source_id) {
  OP_TRY(delete_permanently(who, id_or_source_id));
  return {};
}

Result<TrackedEvent> CustomerService::track_event(const Principal& who, const EventDraft& event) {
  if (event.event.empty() || event.event.size() > 300) {
    return Error::invalid_payload("event must be a name of 1 to 300 characters");
  }
  if (!event.customer.id && !event.customer.source_id) {
    return Error::invalid_payload("customer needs an id or a source_id");
  }
  if (!event.metadata.is_null()) OP_TRY(check_metadata(event.metadata));
  return store_.in_write([&](UnitOfWork& tx) -> Result<TrackedEvent> {
    OP_ASSIGN(Customer c, upsert_customer_in(tx, who, wire_, event.customer));
    TrackedEvent out;
    out.id = new_id("evcus_");
    out.type = event.event;
    out.referral = event.referral;
    out.loyalty = event.loyalty;
    out.metadata = event.metadata.is_null() ? Json(JsonObject{}) : event.metadata;
    out.created_at = now_utc();
    CustomerActivity a;
    a.id = out.id;
    a.project_id = who.project_id;
    a.customer_id = c.id;
    a.type = "customer.custom_event";
    // The activity keeps the event as it was answered (the activity list shows it as is).
    a.data = JsonObject{
        {"event", JsonObject{{"id", out.id},
                             {"object", "event"},
                             {"type", out.type},
                             {"customer", customer_ref(c)},
                             {"referral", out.referral.is_null() ? Json(nullptr) : out.referral},
                             {"loyalty", out.loyalty.is_null() ? Json(nullptr) : out.loyalty},
                             {"metadata", out.metadata},
                             {"created_at", format_iso8601(out.created_at)}}},
        {"customer", customer_ref(c)}};
    a.created_at = out.created_at;
    OP_TRY(ActivityRepository(tx).insert(who.scope(), a));
    out.customer = std::move(c);
    return out;
  });
}

Result<Page<CustomerActivity>> CustomerService::activity(const Principal& who,
                                                         std::string_view id_or_source_id,
                                                         const ListQuery& query) {
  // The activity records every campaign's validations, redemptions and publications of the
  // customer: a restricted key, which sees only some campaigns, is refused it (fail closed;
  // entries carry no campaign column to filter on yet).
  if (who.role == Role::kRestricted) {
    return missing_permission(
        "A restricted key may not read customer activity, which spans every campaign");
  }
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<CustomerActivity>> {
    OP_ASSIGN(Customer c, find_customer_in(tx, who.scope(), id_or_source_id));
    return ActivityRepository(tx).list(who.scope(), c.id, query);
  });
}

Result<Erasure> CustomerService::delete_permanently(const Principal& who,
                                                    std::string_view id_or_source_id) {
  OP_TRY(require_admin(who, "delete customers"));
  return store_.in_write([&](UnitOfWork& tx) -> Result<Erasure> {
    const Scope scope = who.scope();
    OP_ASSIGN(Customer c, find_customer_in(tx, scope, id_or_source_id));
    // Lock the customer first (orders attach to it under the same lock): writes that attach
    // data to it wait, then find it gone.
    OP_TRY(CustomerRepository(tx).lock(scope, c.id));
    Erasure out;
    out.id = new_id("del_");
    out.customer_id = c.id;
    out.created_at = now_utc();
    OP_ASSIGN(out.counts.customer_events, ActivityRepository(tx).remove_of_customer(scope, c.id));
    OP_ASSIGN(out.counts.segments, SegmentRepository(tx).remove_memberships_of(scope, c.id));
    OP_ASSIGN(out.counts.orders, OrderRepository(tx).remove_of_customer(scope, c.id));
    OP_TRY(HolderRepository(tx).remove_of_customer(scope, c.id));
    // Pending events about the customer carry its identifiers: they go too.
    OP_TRY(OutboxRepository(tx).remove_of_entity(scope, c.id));
    OP_ASSIGN(out.counts.customer, CustomerRepository(tx).remove(scope, c.id));
    OP_TRY(record_event(tx, who, "customer.deleted", c.id,
                        JsonObject{{"id", c.id}, {"object", "customer"}}));
    return out;
  });
}

}  // namespace openpromo
