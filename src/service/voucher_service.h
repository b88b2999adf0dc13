// VoucherService: single codes (spec 5.3, 5.6): create with a given or random code, add codes to
// a campaign, read, list, edit, enable/disable, delete to the bin or for good, import, and
// gift-card balance adjustments. Each use case is one unit of work with its outbox event.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/category.h"
#include "model/validation_rule.h"
#include "model/voucher_transaction.h"
#include "service/campaign_service.h"
#include "service/inputs.h"

namespace openpromo {

// A voucher as the API shows it: its own fields, with the campaign template filled in.
struct VoucherView {
  Voucher voucher;
  std::optional<Campaign> campaign;
  std::optional<Category> category;
  JsonObject definition;  // effective: discount, gift, loyalty_card, validity_*, metadata, ...
  std::vector<RuleAssignment> assignments;  // single-voucher responses show them
};

struct BalanceChange {
  int64_t amount = 0;
  std::optional<std::string> source_id, reason;
};

class VoucherService {
 public:
  VoucherService(Store& store, std::function<void()> wake_jobs)
      : store_(store), wake_jobs_(std::move(wake_jobs)) {}

  Result<VoucherView> create(const Principal& who, const VoucherInput& input);
  // POST /campaigns/{id}/vouchers: one code inline (returned), or `count` > 1 in the background.
  struct Added {
    std::optional<VoucherView> voucher;
    std::optional<std::string> async_action_id;
  };
  Result<Added> add_to_campaign(const Principal& who, std::string_view campaign, int64_t count,
                                const VoucherInput& overrides);
  Result<VoucherView> get(const Principal& who, std::string_view code_or_id);
  // Without assignments (lists show none).
  Result<Page<VoucherView>> list(const Principal& who, const ListQuery& query);
  Result<VoucherView> update(const Principal& who, std::string_view code_or_id,
                             const VoucherInput& input);
  Result<VoucherView> set_active(const Principal& who, std::string_view code_or_id, bool active);
  Status remove(const Principal& who, std::string_view code_or_id, bool force);
  Result<VoucherView> adjust_balance(const Principal& who, std::string_view code_or_id,
                                     const BalanceChange& change);
  Result<Page<VoucherTransaction>> transactions(const Principal& who, std::string_view code_or_id,
                                                const ListQuery& query);
  // GET /campaigns/{id}/transactions: every card's transactions in the campaign.
  Result<Page<VoucherTransaction>> campaign_transactions(const Principal& who,
                                                         std::string_view campaign_id_or_name,
                                                         const ListQuery& query);

  // Imports vouchers one by one: each valid item is created (in a unit of its own), each invalid
  // one is reported with its reason and skipped. The work is done before returning and
  // recorded as a finished async action of VOUCHERS.IMPORT or CAMPAIGN.VOUCHERS_IMPORT, whose id
  // is returned (202 + async_action_id, as Voucherify). `campaign`: items inherit its template.
  Result<std::string> import(const Principal& who, std::vector<Result<VoucherInput>> items,
                             const std::optional<std::string>& campaign);

  // One new code of `campaign` from its template, inside `tx` (publication of an AUTO_UPDATE
  // campaign whose pool is empty).
  Result<Voucher> create_code_in(UnitOfWork& tx, const Principal& who, const Campaign& campaign);

 private:
  Result<VoucherView> create_in(UnitOfWork& tx, const Principal& who, const VoucherInput& input,
                                const std::optional<Campaign>& campaign);
  Store& store_;
  std::function<void()> wake_jobs_;
};

// The view of a stored voucher, read in `tx`: campaign, category and (when asked) assignments.
Result<VoucherView> voucher_view(UnitOfWork& tx, const Scope& scope, Voucher voucher,
                                 bool with_assignments);

}  // namespace openpromo
