// CustomerService: customers (spec 16.1). POST /customers is an upsert: by `id` when given, by
// `source_id` otherwise; the same request sent many times at once yields one customer.
//
// A write of a customer is one unit of work with everything it causes: the activity entry
// (customer.created / customer.updated), the outbox event, and the enter/leave bookkeeping of
// auto-update segments (service/segment_service.h).
#pragma once

#include <string>
#include <vector>

#include "model/api_key.h"
#include "model/customer.h"
#include "model/list_query.h"
#include "model/order.h"
#include "model/redemption.h"
#include "model/segment.h"
#include "service/wire.h"
#include "store/store.h"

namespace openpromo {

// A customer with the order and redemption counters its summary shows.
struct CustomerDetails {
  Customer customer;
  OrderSummary orders;
  CustomerRedemptionSummary redemptions;
};

// A custom event (POST /v1/events, spec 16.6).
struct EventDraft {
  std::string event;
  CustomerDraft customer;
  Json metadata, referral, loyalty;
};

// A recorded custom event, as the API answers it.
struct TrackedEvent {
  std::string id;
  std::string type;
  Customer customer;
  Json referral, loyalty, metadata;
  Instant created_at;
};

// What a permanent deletion removed (the `pernament_deletion` object's data_json).
struct ErasureCounts {
  int64_t customer_events = 0, segments = 0, orders = 0, customer = 0;
};
struct Erasure {
  std::string id;
  std::string customer_id;
  ErasureCounts counts;
  Instant created_at;
};

class CustomerService {
 public:
  CustomerService(Store& store, const Wire& wire) : store_(store), wire_(wire) {}

  Result<CustomerDetails> upsert(const Principal& who, const CustomerDraft& draft);
  Result<CustomerDetails> get(const Principal& who, std::string_view id_or_source_id);
  // Each customer with its counters (read in two queries per page).
  Result<Page<CustomerDetails>> list(const Principal& who, const ListQuery& query);
  Result<CustomerDetails> update(const Principal& who, std::string_view id_or_source_id,
                                 const CustomerDraft& draft);
  Status remove(const Principal& who, std::string_view id_or_source_id);

  // Records a custom event on the (upserted) customer's activity.
  Result<TrackedEvent> track_event(const Principal& who, const EventDraft& event);
  Result<Page<CustomerActivity>> activity(const Principal& who, std::string_view id_or_source_id,
                                          const ListQuery& query);
  // GDPR erasure (spec 16.1): the customer, its activity, orders, segment memberships and
  // pending events; the deletion object tells what was removed.
  Result<Erasure> delete_permanently(const Principal& who, std::string_view id_or_source_id);

 private:
  Store& store_;
  const Wire& wire_;
};

// The use cases' pieces, inside a unit of work (orders and events upsert their customer in
// their own unit).
Result<Customer> upsert_customer_in(UnitOfWork& tx, const Principal& who, const Wire& wire,
                                    const CustomerDraft& draft);
Result<Customer> find_customer_in(UnitOfWork& tx, const Scope& scope,
                                  std::string_view id_or_source_id);
// The counters of a customer's `summary` (what segment filters on `summary.*` read).
Result<CustomerSummary> customer_summary_in(UnitOfWork& tx, const Scope& scope,
                                            std::string_view customer_id);

}  // namespace openpromo
