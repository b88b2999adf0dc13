// CampaignService: campaigns and their codes (spec 5.1-5.4, 13).
//
// Creating a campaign with more than one code, or adding many codes later, runs as an async
// action (CAMPAIGN.VOUCHERS_GENERATE) executed by the JobRunner; exactly one code is generated
// inline, as Voucherify does. Generated codes carry only what differs from the campaign's
// voucher template; `effective_voucher` resolves the whole definition.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/json.h"
#include "model/api_key.h"
#include "model/async_action.h"
#include "model/campaign.h"
#include "model/code_config.h"
#include "model/list_query.h"
#include "model/voucher.h"
#include "store/store.h"

namespace openpromo {

// A present-but-null date clears it: outer optional = present in the request.
using OptionalDate = std::optional<std::optional<Instant>>;

struct CampaignInput {
  std::optional<std::string> name, description, campaign_type, type, category_id, category;
  OptionalDate start_date, expiration_date;
  std::optional<bool> join_once, auto_join, use_voucher_metadata_schema, is_protected;
  std::optional<int64_t> vouchers_count;
  // Pass-through definition parts, stored and returned as given once checked.
  std::optional<Json> voucher, validity_timeframe, validity_day_of_week, validity_hours,
      referral_program, activity_duration_after_publishing, metadata, promotion;
};

// Fields for creating or updating one voucher.
struct VoucherInput {
  std::optional<std::string> code, type, campaign, category_id, category, additional_info;
  OptionalDate start_date, expiration_date;
  std::optional<bool> active;
  std::optional<std::optional<int64_t>>
      redemption_quantity;  // redemption.quantity (null: unlimited)
  std::optional<Json> discount, gift, loyalty_card, code_config, metadata, validity_timeframe,
      validity_day_of_week, validity_hours;
};

struct CampaignCreated {
  Campaign campaign;
  std::optional<std::string> async_action_id;  // set when codes are generated in the background
};

class CampaignService {
 public:
  // Largest number of codes one generation request may ask for. Voucherify's plans cap a
  // campaign at 100,000 codes; the engine itself is built and measured for 1,000,000.
  static constexpr int64_t kMaxGeneratedPerRequest = 1'000'000;

  // `request_id` is recorded on async actions; `wake_jobs` nudges the job runner.
  CampaignService(Store& store, std::function<void()> wake_jobs)
      : store_(store), wake_jobs_(std::move(wake_jobs)) {}

  Result<CampaignCreated> create(const Principal& who, const CampaignInput& input,
                                 const std::string& request_id);
  Result<Campaign> get(const Principal& who, std::string_view id_or_name);
  Result<Page<Campaign>> list(const Principal& who, const ListQuery& query);
  Result<Campaign> update(const Principal& who, std::string_view id_or_name,
                          const CampaignInput& input);
  Result<Campaign> set_active(const Principal& who, std::string_view id_or_name, bool active);
  // force=false: to the bin (name and codes stay reserved); force=true: gone for good. The work
  // is done before returning; it is recorded as a finished CAMPAIGN.VOUCHERS_DELETE action, the
  // shape Voucherify answers with (202 + async_action_id).
  Result<std::string> remove(const Principal& who, std::string_view id_or_name, bool force,
                             const std::string& request_id);

  // POST /campaigns/{id}/vouchers: one code inline (returned), or `count` > 1 in the background.
  struct Added {
    std::optional<Voucher> voucher;
    std::optional<std::string> async_action_id;
  };
  Result<Added> add_vouchers(const Principal& who, std::string_view campaign, int64_t count,
                             const VoucherInput& overrides, const std::string& request_id);

  // The campaign's code configuration (from its voucher template), with defaults filled in.
  static Result<CodeConfig> code_config_of(const Campaign& campaign);
  // A voucher of `campaign` built from the template, before it has a code and id.
  static Voucher voucher_from_template(const Campaign& campaign, Instant now);

  Result<Project> project_of(const Principal& who);

 private:
  Result<std::optional<std::string>> resolve_category(const Principal& who,
                                                      const std::optional<std::string>& id,
                                                      const std::optional<std::string>& name);
  Result<std::string> enqueue_generation(const Campaign& campaign, int64_t count,
                                         const CodeConfig& config, const std::string& request_id);
  Store& store_;
  std::function<void()> wake_jobs_;
};

}  // namespace openpromo
