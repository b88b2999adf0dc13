// The bin (spec 13.4): `GET /v1/trash-bin` lists what was deleted without `force`, and
// `DELETE /v1/trash-bin/{id}` deletes it for good (its name or code becomes free again), in one
// unit with its entry. Purging is for admins, as deleting is.
#pragma once

#include <string_view>

#include "core/error.h"
#include "model/api_key.h"
#include "model/bin_entry.h"
#include "model/list_query.h"
#include "store/store.h"

namespace openpromo {

class BinService {
 public:
  explicit BinService(Store& store) : store_(store) {}

  Result<Page<BinEntry>> list(const Principal& who, const ListQuery& query);
  Status purge(const Principal& who, std::string_view entry_id);

 private:
  Store& store_;
};

// The entry of a campaign or voucher just binned in `tx`.
Status record_binned_in(UnitOfWork& tx, const Principal& who, std::string_view resource_type,
                        const std::string& resource_id, const std::string& name,
                        const std::optional<std::string>& parent_id, Instant now);

}  // namespace openpromo
