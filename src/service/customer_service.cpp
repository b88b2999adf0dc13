#include "service/customer_service.h"

#include "core/crypto.h"
#include "service/definitions.h"
#include "service/key_service.h"

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

}  // namespace

Result<Customer> CustomerService::upsert(const Principal& who, const CustomerDraft& draft) {
  OP_TRY(check(draft));
  if (draft.id) {
    OP_ASSIGN(auto existing, store_.find_customer(who.project_id, *draft.id));
    if (!existing || existing->id != *draft.id) return Error::not_found("customer", *draft.id);
    return update(who, existing->id, draft);
  }
  const Instant now = now_utc();
  OP_ASSIGN(Customer c, store_.upsert_customer(who.project_id, draft, new_id("cust_"), now));
  // An upsert that found the customer merges address and metadata too.
  if (c.updated_at && (draft.address || draft.metadata)) {
    CustomerDraft rest;
    rest.address = draft.address;
    rest.metadata = draft.metadata;
    return store_.update_customer(who.project_id, c.id, rest, now);
  }
  return c;
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
  OP_ASSIGN(Customer c, get(who, id_or_source_id));
  if (draft.source_id && c.source_id && *draft.source_id != *c.source_id) {
    return invalid_customer("a customer's source_id cannot be changed");
  }
  CustomerDraft changes = draft;
  changes.source_id.reset();
  return store_.update_customer(who.project_id, c.id, changes, now_utc());
}

Status CustomerService::remove(const Principal& who, std::string_view id_or_source_id) {
  OP_TRY(require_admin(who, "delete customers"));
  OP_ASSIGN(Customer c, get(who, id_or_source_id));
  return store_.delete_customer(who.project_id, c.id);
}

}  // namespace openpromo
