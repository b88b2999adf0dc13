// A bin entry (spec 13.4, contract TrashBinItem): a campaign or voucher deleted without `force`.
// The resource keeps its row (marked deleted_at) so its name or code stays reserved; purging the
// entry deletes it for good. A voucher binned on its own has an entry of its own; the vouchers
// binned with their campaign go with the campaign's entry.
#pragma once

#include <optional>
#include <string>

#include "core/time.h"

namespace openpromo {

struct BinEntry {
  std::string id;  // tbe_...
  std::string project_id;
  std::string resource_id;
  std::string resource_type;                      // campaign | voucher
  std::string resource_name;                      // campaign name or voucher code
  std::optional<std::string> resource_parent_id;  // a voucher's campaign
  std::optional<std::string> deleted_by_user_id;  // null through the API
  Instant created_at;
};

}  // namespace openpromo
