// SegmentService: customer segments (spec 16.2). `static` segments list their customers (at most
// 20,000, fixed once created); `auto-update` and `passive` ones hold a filter (rules/filter.h)
// over the customer as the API shows it (profile fields, address, metadata and summary
// counters), evaluated whenever membership is asked, so membership follows the data at once.
// Auto-update segments also record entering and leaving (refresh_segment_membership, run in the
// unit of work of each customer or order write): the first write after a segment is created
// records an `entered` for a customer who already matched.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/api_key.h"
#include "model/customer.h"
#include "model/list_query.h"
#include "model/segment.h"
#include "rules/filter.h"
#include "service/wire.h"
#include "store/store.h"

namespace openpromo {

struct SegmentInput {
  std::optional<std::string> name, type;
  std::optional<std::vector<std::string>> customers;  // static: ids or source ids
  std::optional<Json> filter;
};

class SegmentService {
 public:
  static constexpr size_t kMaxStaticCustomers = 20'000;

  SegmentService(Store& store, const Wire& wire) : store_(store), wire_(wire) {}

  Result<Segment> create(const Principal& who, const SegmentInput& input);
  Result<Segment> get(const Principal& who, std::string_view id);
  Result<Page<Segment>> list(const Principal& who, const ListQuery& query);
  Status remove(const Principal& who, std::string_view id);
  // The segments the customer belongs to now, in creation order.
  Result<std::vector<Segment>> segments_of(const Principal& who,
                                           std::string_view customer_id_or_source_id);

 private:
  Store& store_;
  const Wire& wire_;
};

// A segment ready to test customers against. `broken`: its stored filter cannot be read; it has
// no members, and rules that name it fail closed (service/catalog_cache.h).
struct CompiledSegment {
  Segment segment;
  std::optional<rules::Filter> filter;  // auto-update / passive
  std::string broken;
};
// `locations`: resolves the ids `$in_location` names (null: location conditions never hold, for
// membership asked without a request).
CompiledSegment compile_segment(Segment segment,
                                const rules::LocationResolver& locations = nullptr);

// Which of `segments` a customer (as the API shows it; `static_ids`: its static segments)
// belongs to; shared with validation, which evaluates the catalog's compiled filters. `sent`:
// the customer as the request sends it, where location conditions read coordinates.
std::vector<std::string> member_segments(const std::vector<CompiledSegment>& segments,
                                         const Json& customer,
                                         const std::vector<std::string>& static_ids, Instant now,
                                         const Json* sent = nullptr);

// After a customer's data changed in `tx`: records entering and leaving auto-update segments as
// `customer.segment.entered|left` activity (passive segments change silently, spec 16.2), in the
// same unit.
Status refresh_segment_membership(UnitOfWork& tx, const Principal& who, const Wire& wire,
                                  const Customer& customer);

}  // namespace openpromo
