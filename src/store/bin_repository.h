// The bin (spec 13.4): entries for binned campaigns and vouchers.
#pragma once

#include <optional>
#include <string_view>

#include "core/error.h"
#include "model/bin_entry.h"
#include "model/list_query.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class BinRepository {
 public:
  explicit BinRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const BinEntry& entry);
  Result<std::optional<BinEntry>> find(const Scope& scope, std::string_view id);
  // Filters: id, created_at, resource_id, resource_type, resource_name, resource_parent_id.
  Result<Page<BinEntry>> list(const Scope& scope, const ListQuery& query);
  // Removes the entries of `resource_id` and of the resources under it (a campaign's vouchers).
  Status remove_of(const Scope& scope, std::string_view resource_id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
