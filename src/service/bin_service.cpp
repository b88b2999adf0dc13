#include "service/bin_service.h"

#include "core/crypto.h"
#include "service/events.h"
#include "service/key_service.h"
#include "store/bin_repository.h"
#include "store/campaign_repository.h"
#include "store/product_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {

Status record_binned_in(UnitOfWork& tx, const Principal& who, std::string_view resource_type,
                        const std::string& resource_id, const std::string& name,
                        const std::optional<std::string>& parent_id, Instant now) {
  BinEntry e;
  e.id = new_id("tbe_");
  e.project_id = who.project_id;
  e.resource_id = resource_id;
  e.resource_type = std::string(resource_type);
  e.resource_name = name;
  e.resource_parent_id = parent_id;
  e.created_at = now;
  return BinRepository(tx).insert(who.scope(), e);
}

Result<Page<BinEntry>> BinService::list(const Principal& who, const ListQuery& query) {
  return store_.in_snapshot(
      [&](UnitOfWork& tx) { return BinRepository(tx).list(who.scope(), query); });
}

Status BinService::purge(const Principal& who, std::string_view entry_id) {
  OP_TRY(require_admin(who, "delete for good"));
  const Scope scope = who.scope();
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_ASSIGN(auto entry, BinRepository(tx).find(scope, entry_id));
    if (!entry) return Error::not_found("bin_entry", std::string(entry_id));
    const JsonObject data{{"id", entry->resource_id}, {"object", entry->resource_type}};
    if (entry->resource_type == "campaign") {
      OP_TRY(CampaignRepository(tx).remove(scope, entry->resource_id));
      OP_TRY(record_audit(tx, who, entry->resource_id, "campaign.deleted", "campaign",
                          entry->resource_id, nullptr, nullptr));
      OP_TRY(BinRepository(tx).remove_of(scope, entry->resource_id));
      return record_event(tx, who, "campaign.deleted", entry->resource_id, data);
    }
    if (entry->resource_type == "product" || entry->resource_type == "sku") {
      if (entry->resource_type == "product") {
        OP_TRY(ProductRepository(tx).remove(scope, entry->resource_id));
      } else {
        OP_TRY(SkuRepository(tx).remove(scope, entry->resource_id));
      }
      return BinRepository(tx).remove_of(scope, entry->resource_id);
    }
    if (entry->resource_parent_id) {
      OP_TRY(record_audit(tx, who, *entry->resource_parent_id, "voucher.deleted", "voucher",
                          entry->resource_id, nullptr, nullptr));
    }
    OP_TRY(VoucherRepository(tx).remove(scope, entry->resource_id));
    OP_TRY(BinRepository(tx).remove_of(scope, entry->resource_id));
    return record_event(tx, who, "voucher.deleted", entry->resource_id, data);
  });
}

}  // namespace openpromo
