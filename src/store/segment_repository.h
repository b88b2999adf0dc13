// Customer segments with their recorded members (spec 16.2), and product collections (16.3).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/list_query.h"
#include "model/scope.h"
#include "model/segment.h"
#include "store/unit_of_work.h"

namespace openpromo {

class SegmentRepository {
 public:
  explicit SegmentRepository(UnitOfWork& tx) : tx_(tx) {}

  // `customer_ids`: the members of a static segment.
  Status insert(const Scope& scope, const Segment& segment,
                const std::vector<std::string>& customer_ids);
  Result<std::optional<Segment>> find(const Scope& scope, std::string_view id);
  Result<Page<Segment>> list(const Scope& scope, const ListQuery& query);
  Result<std::vector<Segment>> all(const Scope& scope);
  Status remove(const Scope& scope, std::string_view id);
  // The static segments that list the customer.
  Result<std::vector<std::string>> static_segments_of(const Scope& scope,
                                                      std::string_view customer_id);
  // The auto-update segments the customer was last recorded in (for enter/leave events).
  Result<std::vector<std::string>> recorded_segments_of(const Scope& scope,
                                                        std::string_view customer_id);
  // Records a change of membership: true when this call changed the row (so one event per
  // change, even with concurrent writers).
  Result<bool> set_member(const Scope& scope, std::string_view segment_id,
                          std::string_view customer_id, bool member);
  Result<int64_t> remove_memberships_of(const Scope& scope, std::string_view customer_id);

 private:
  UnitOfWork& tx_;
};

class CollectionRepository {
 public:
  explicit CollectionRepository(UnitOfWork& tx) : tx_(tx) {}

  // Refused (400 invalid_payload) when the project already has `max_per_project`; the project
  // row lock makes the cap exact under concurrent creates. REQUIRES: a write unit.
  Status insert(const Scope& scope, const ProductCollection& collection, int64_t max_per_project);
  Result<std::optional<ProductCollection>> find(const Scope& scope, std::string_view id);
  Result<Page<ProductCollection>> list(const Scope& scope, const ListQuery& query);
  Result<std::vector<ProductCollection>> all(const Scope& scope);
  Status remove(const Scope& scope, std::string_view id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
