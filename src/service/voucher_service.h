// VoucherService: single codes (spec 5.3, 5.6): create with a given or random code, read, list,
// edit, enable/disable, delete to the bin or for good, and gift-card balance adjustments.
#pragma once

#include <optional>
#include <string>

#include "model/category.h"
#include "service/campaign_service.h"

namespace openpromo {

// A voucher as the API shows it: its own fields, with the campaign template filled in.
struct VoucherView {
  Voucher voucher;
  std::optional<Campaign> campaign;
  std::optional<Category> category;
  JsonObject definition;  // effective: discount, gift, loyalty_card, validity_*, metadata, ...
};

struct BalanceChange {
  int64_t amount = 0;
  std::optional<std::string> source_id, reason;
};

class VoucherService {
 public:
  explicit VoucherService(Store& store) : store_(store) {}

  Result<VoucherView> create(const Principal& who, const VoucherInput& input);
  Result<VoucherView> get(const Principal& who, std::string_view code_or_id);
  Result<Page<VoucherView>> list(const Principal& who, const ListQuery& query);
  Result<VoucherView> update(const Principal& who, std::string_view code_or_id,
                             const VoucherInput& input);
  Result<VoucherView> set_active(const Principal& who, std::string_view code_or_id, bool active);
  Status remove(const Principal& who, std::string_view code_or_id, bool force);
  Result<VoucherView> adjust_balance(const Principal& who, std::string_view code_or_id,
                                     const BalanceChange& change);
  Result<Page<VoucherTransaction>> transactions(const Principal& who, std::string_view code_or_id,
                                                const ListQuery& query);

  // Imports vouchers one by one: each valid item is created, each invalid one is reported with
  // its reason and skipped (the others still import). The work is done before returning and
  // recorded as a finished async action of `type` (VOUCHERS.IMPORT or CAMPAIGN.VOUCHERS_IMPORT),
  // whose id is returned, the shape Voucherify answers with (202 + async_action_id).
  // `campaign`: import into this campaign (items inherit its template).
  Result<std::string> import(const Principal& who, std::vector<Result<VoucherInput>> items,
                             const std::optional<std::string>& campaign,
                             const std::string& request_id);

  // Fills `view.definition` and the campaign/category of a stored voucher.
  Result<VoucherView> view_of(const Principal& who, Voucher voucher);
  Result<VoucherView> view_of(const Principal& who, Voucher voucher,
                              const std::optional<Campaign>& campaign);

 private:
  // Category (by id or name), active, dates and redemption quantity: shared by create and update.
  Status apply_fields(const Principal& who, const VoucherInput& input, Voucher& voucher);
  Result<Voucher> find(const Principal& who, std::string_view code_or_id);
  Store& store_;
};

}  // namespace openpromo
