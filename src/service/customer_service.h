// CustomerService: customers (spec 16.1). POST /customers is an upsert: by `id` when given, by
// `source_id` otherwise; the same request sent many times at once yields one customer.
#pragma once

#include <functional>
#include <string>

#include "model/api_key.h"
#include "model/customer.h"
#include "model/list_query.h"
#include "model/order.h"
#include "model/segment.h"
#include "store/store.h"

namespace openpromo {

// The customer as the API shows it (spec 16.1), with the order counters of `orders`. Segment and
// collection filters read this same document, so a filter names the fields a client sees.
JsonObject customer_view(const Customer& c, const OrderSummary& orders);

// A create/update body (also a bulk or CSV-import row) -> draft; wrong types are 400.
Result<CustomerDraft> customer_draft_from_json(const JsonObject& body);

// A custom event (POST /v1/events, spec 16.6).
struct EventDraft {
  std::string event;
  CustomerDraft customer;
  Json metadata, referral, loyalty;
};

class CustomerService {
 public:
  explicit CustomerService(Store& store) : store_(store) {}

  Result<Customer> upsert(const Principal& who, const CustomerDraft& draft);
  Result<Customer> get(const Principal& who, std::string_view id_or_source_id);
  Result<Page<Customer>> list(const Principal& who, const ListQuery& query);
  Result<Customer> update(const Principal& who, std::string_view id_or_source_id,
                          const CustomerDraft& draft);
  Status remove(const Principal& who, std::string_view id_or_source_id);

  // Called after every committed change of a customer's data (profile, orders) through this
  // service: segment membership bookkeeping (SegmentService::refresh_membership).
  using ChangeListener = std::function<void(const Principal&, const std::string& customer_id)>;
  void set_change_listener(ChangeListener listener) { on_changed_ = std::move(listener); }
  void changed(const Principal& who, const std::string& customer_id);

  // customer_view with the customer's order counters read from the store.
  Result<JsonObject> view(const Principal& who, const Customer& c);
  Result<OrderSummary> order_summary(const Principal& who, const Customer& c);
  // customer_view of each customer of a page, with their counters read in two queries.
  Result<std::vector<JsonObject>> views(const Principal& who, const std::vector<Customer>& page);

  // Records a custom event on the (upserted) customer's activity; returns the event object.
  Result<JsonObject> track_event(const Principal& who, const EventDraft& event);
  Result<Page<CustomerActivity>> activity(const Principal& who, std::string_view id_or_source_id,
                                          const ListQuery& query);
  // GDPR erasure (spec 16.1): the customer, its activity, orders and segment memberships; the
  // deletion object tells what was removed.
  Result<JsonObject> delete_permanently(const Principal& who, std::string_view id_or_source_id);

 private:
  // Records `activity` (customer.created / customer.updated) and tells the listener.
  void after_write(const Principal& who, const Customer& c, std::string_view activity);

  Store& store_;
  ChangeListener on_changed_;
};

}  // namespace openpromo
