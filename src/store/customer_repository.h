// Customers (spec 16.1) and their activity log.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/customer.h"
#include "model/list_query.h"
#include "model/scope.h"
#include "model/segment.h"
#include "store/unit_of_work.h"

namespace openpromo {

class CustomerRepository {
 public:
  explicit CustomerRepository(UnitOfWork& tx) : tx_(tx) {}

  // One statement: concurrent upserts of one source_id (on any node) yield one customer.
  // `draft` fields that are present overwrite; absent ones keep. A new customer gets `new_id`.
  Result<Customer> upsert(const Scope& scope, const CustomerDraft& draft, const std::string& new_id,
                          Instant now);
  Result<std::optional<Customer>> find(const Scope& scope, std::string_view id_or_source_id);
  Result<Page<Customer>> list(const Scope& scope, const ListQuery& query);
  // Present fields overwrite, address replaces, metadata keys merge (null removes a key); the
  // row is read and written in this unit (REQUIRES: a write unit), so concurrent merges never
  // lose a key.
  Result<Customer> update(const Scope& scope, std::string_view id, const CustomerDraft& draft,
                          Instant now);
  // Locks the row until the unit ends (writes that attach data to the customer and its erasure
  // serialise on it): not_found when it is gone.
  Status lock(const Scope& scope, std::string_view id);
  // The source ids of those of `ids` that exist and have one, by id (one query).
  Result<std::map<std::string, std::string>> source_ids(const Scope& scope,
                                                        const std::vector<std::string>& ids);
  // Locks the rows of `ids` (those that still exist) in one statement; the ids locked.
  Result<std::vector<std::string>> lock_many(const Scope& scope,
                                             const std::vector<std::string>& ids);
  Result<int64_t> remove(const Scope& scope, std::string_view id);

  // Up to `limit` customers with ids after `after_id` ("" = from the start), in id order: all of
  // the project's, or the members of the static segment `static_segment_id`. Jobs that walk
  // every customer resume from the last id they committed.
  Result<std::vector<Customer>> batch_after(const Scope& scope, std::string_view after_id,
                                            int64_t limit,
                                            const std::optional<std::string>& static_segment_id);
  Result<int64_t> count(const Scope& scope, const std::optional<std::string>& static_segment_id);

 private:
  UnitOfWork& tx_;
};

class ActivityRepository {
 public:
  explicit ActivityRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const CustomerActivity& activity);
  Result<Page<CustomerActivity>> list(const Scope& scope, std::string_view customer_id,
                                      ListQuery query);
  Result<int64_t> remove_of_customer(const Scope& scope, std::string_view customer_id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
