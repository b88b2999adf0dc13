// SegmentService: customer segments (spec 16.2). `static` segments list their customers (at most
// 20,000, fixed once created); `auto-update` and `passive` ones hold a filter (rules/filter.h)
// over the customer as the API shows it (customer_view: profile fields, address, metadata and
// summary counters), evaluated whenever membership is asked, so membership follows the data at
// once. Auto-update segments also record entering and leaving (refresh_membership, called
// after each customer or order write): the first write after a segment is created records an
// `entered` for a customer who already matched.
#pragma once

#include <string>
#include <vector>

#include "model/api_key.h"
#include "model/list_query.h"
#include "model/segment.h"
#include "rules/filter.h"
#include "service/customer_service.h"
#include "store/store.h"

namespace openpromo {

class SegmentService {
 public:
  static constexpr size_t kMaxStaticCustomers = 20'000;

  SegmentService(Store& store, CustomerService& customers) : store_(store), customers_(customers) {}

  Result<Segment> create(const Principal& who, const JsonObject& body);
  Result<Segment> get(const Principal& who, std::string_view id);
  Result<Page<Segment>> list(const Principal& who, const ListQuery& query);
  Status remove(const Principal& who, std::string_view id);
  // The segments the customer belongs to now, in creation order.
  Result<std::vector<Segment>> segments_of(const Principal& who,
                                           std::string_view customer_id_or_source_id);

  // After a customer's data changed: records entering and leaving auto-update segments as
  // `customer.segment.entered|left` activity (passive segments change silently, spec 16.2).
  Status refresh_membership(const Principal& who, const std::string& customer_id);

  static JsonObject view(const Segment& s);

 private:
  Store& store_;
  CustomerService& customers_;
};

// Whether a customer (as customer_view shows it, `static_ids`: its static segments) belongs to
// each of `segments`; shared with validation, which evaluates the catalog's compiled filters.
struct CompiledSegment {
  Segment segment;
  std::optional<rules::Filter> filter;  // auto-update / passive
};
std::vector<std::string> member_segments(const std::vector<CompiledSegment>& segments,
                                         const Json& customer,
                                         const std::vector<std::string>& static_ids, Instant now);

}  // namespace openpromo
