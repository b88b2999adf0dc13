// Campaigns (spec 5.1-5.2, 13). Names are unique within a project, binned campaigns included.
// Lookups take an id or a name and never return binned campaigns unless asked.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/campaign.h"
#include "model/list_query.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class CampaignRepository {
 public:
  explicit CampaignRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const Campaign& campaign);
  Result<std::optional<Campaign>> find(const Scope& scope, std::string_view id_or_name,
                                       bool include_binned = false);
  Result<Page<Campaign>> list(const Scope& scope, const ListQuery& query);
  // Every live campaign (catalog snapshots).
  Result<std::vector<Campaign>> all(const Scope& scope);
  // Writes the editable fields of an existing campaign.
  Status update(const Scope& scope, const Campaign& campaign);
  // One statement: an edit running at the same time cannot undo the switch.
  Status set_active(const Scope& scope, std::string_view id, bool active, Instant now);
  // Locks the live campaign's row until the unit ends (binning or deleting it waits, or this
  // unit sees it gone: not_found).
  Status lock_live(const Scope& scope, std::string_view id);
  // Code generation bookkeeping: no catalog change.
  Status set_generation_status(const Scope& scope, std::string_view id, std::string_view status);
  // Guarded counter update, never read-modify-write: jobs may add codes concurrently.
  Status add_vouchers_count(const Scope& scope, std::string_view id, int64_t by);

  // Vouchers of a campaign created, and moved to the bin, within [from, to) (open ends: all).
  struct VoucherCounts {
    int64_t created = 0;
    int64_t deleted = 0;
  };
  Result<VoucherCounts> count_vouchers(const Scope& scope, std::string_view id,
                                       std::optional<Instant> from, std::optional<Instant> to);
  // Moves the campaign and its vouchers to the bin (names and codes stay reserved).
  Status bin(const Scope& scope, std::string_view id, Instant now);
  // Removes the campaign, its vouchers, tiers and stacks for good.
  Status remove(const Scope& scope, std::string_view id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
