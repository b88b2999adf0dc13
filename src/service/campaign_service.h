// CampaignService: campaigns (spec 5.1-5.4, 13), their summary, and the async actions list.
//
// A create is one unit of work: the campaign, its tiers (PROMOTION), its validation rule
// assignments, its first code (or the generation job for more, CAMPAIGN.VOUCHERS_GENERATE, run
// by the JobRunner; one code is generated inline, as Voucherify does) and its outbox event commit
// together or not at all. Generated codes carry only what differs from the campaign's template
// (service/incentives.h resolves the effective voucher).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "model/api_key.h"
#include "model/async_action.h"
#include "model/audit_entry.h"
#include "model/campaign.h"
#include "model/category.h"
#include "model/code_config.h"
#include "model/list_query.h"
#include "model/promotion.h"
#include "model/redemption.h"
#include "model/validation_rule.h"
#include "model/voucher.h"
#include "service/inputs.h"
#include "store/campaign_repository.h"
#include "store/store.h"
#include "store/validation_count_repository.h"

namespace openpromo {

// A campaign as the API shows it: with its category, its tiers (PROMOTION) and its rule
// assignments, read together.
struct CampaignDetails {
  Campaign campaign;
  std::optional<Category> category;
  std::vector<PromotionTier> tiers;
  std::vector<RuleAssignment> assignments;
  std::optional<std::string> async_action_id;  // create: codes are being generated
  // Whether the answer lists `access_settings_assignments` (campaign lists: only when expanded).
  bool with_access = true;
};

struct CampaignSummary {
  CampaignDetails campaign;
  CampaignRepository::VoucherCounts vouchers;
  CampaignRedemptionSummary redemptions;
  ValidationCounts validations;  // as counted by ValidationTally
};

inline constexpr std::string_view kCampaignDelete = "CAMPAIGN.VOUCHERS_DELETE";
inline constexpr std::string_view kCampaignUpdate = "CAMPAIGN.VOUCHERS_UPDATE";

class CampaignService {
 public:
  // Largest number of codes one generation request may ask for. Voucherify's plans cap a
  // campaign at 100,000 codes; the engine itself is built and measured for 1,000,000.
  static constexpr int64_t kMaxGeneratedPerRequest = 1'000'000;

  // `wake_jobs` nudges the job runner after a unit that enqueued work commits.
  CampaignService(Store& store, std::function<void()> wake_jobs)
      : store_(store), wake_jobs_(std::move(wake_jobs)) {}

  Result<CampaignDetails> create(const Principal& who, const CampaignInput& input);
  // Ours as an API (the reference clones in its dashboard only): a new campaign named `name`
  // with the source's whole configuration (template and code config, time limits, category,
  // metadata, validation rules, promotion tiers with their rules) and `vouchers_count` fresh
  // codes. Refused for referral and loyalty programs, as in the reference.
  // The campaign's audit log (ours), newest first unless `order` says otherwise.
  Result<Page<AuditEntry>> audit(const Principal& who, std::string_view id_or_name,
                                 const ListQuery& query);
  Result<CampaignDetails> clone(const Principal& who, std::string_view id_or_name,
                                const std::string& name, int64_t vouchers_count);
  Result<CampaignDetails> get(const Principal& who, std::string_view id_or_name);
  Result<Page<CampaignDetails>> list(const Principal& who, const ListQuery& query);
  // Partial update with the reach of spec 13.1. A change that rewrites more than
  // kInlineUpdateLimit codes (time limits, category, validity windows) is applied by a
  // CAMPAIGN.VOUCHERS_UPDATE job (run_update) from `request`, the body as sent: the answer then
  // carries the action's id and shows the campaign as the change will leave it.
  static constexpr int64_t kInlineUpdateLimit = 10'000;
  Result<CampaignDetails> update(const Principal& who, std::string_view id_or_name,
                                 const CampaignInput& input, const Json& request);
  // The job of a large update: `input` is the queued request read again.
  Status run_update(const Principal& job, AsyncAction& action, const CampaignInput& input);
  Status set_active(const Principal& who, std::string_view id_or_name, bool active);
  // force=false: to the bin (name and codes stay reserved); force=true: gone for good. Answers
  // with a CAMPAIGN.VOUCHERS_DELETE action (Voucherify's 202 + async_action_id). Up to
  // kInlineDeleteLimit codes the work is done before returning and the action is DONE; a larger
  // campaign is deleted by the job (run_delete), whole, in one unit.
  static constexpr int64_t kInlineDeleteLimit = 10'000;
  Result<std::string> remove(const Principal& who, std::string_view id_or_name, bool force);
  // The job of a large campaign's deletion.
  Status run_delete(const Principal& job, AsyncAction& action);
  // Voucher and redemption counters within [from, to).
  // `cut`: only redemptions made by keys of that store or area (per-store reports).
  Result<CampaignSummary> summary(const Principal& who, std::string_view id_or_name,
                                  std::optional<Instant> from, std::optional<Instant> to,
                                  const StoreCut& cut = {});

  Result<Page<AsyncAction>> async_actions(const Principal& who, const ListQuery& query);
  Result<AsyncAction> async_action(const Principal& who, std::string_view id);

  // The campaign's code configuration (from its voucher template), with defaults filled in.
  static Result<CodeConfig> code_config_of(const Campaign& campaign);

 private:
  Store& store_;
  std::function<void()> wake_jobs_;
};

// Pieces the voucher and promotion use cases share, run inside their unit of work.
Result<Campaign> find_campaign(UnitOfWork& tx, const Scope& scope, std::string_view id_or_name);
// What an audit entry keeps of a campaign.
Json campaign_state(const Campaign& c);
Result<CampaignDetails> campaign_details(UnitOfWork& tx, const Scope& scope, Campaign campaign);
// 403 when a restricted caller sees campaign `c` but does not own it (spec 14.2: edits and
// deletes need every assignment covered); `c` as the scoped repository read it (`readonly`).
Status require_owner(const Campaign& c, std::string_view action);
// A category named by id or by name (name: the first with it), or none.
Result<std::optional<std::string>> resolve_category(UnitOfWork& tx, const Scope& scope,
                                                    const std::optional<std::string>& id,
                                                    const std::optional<std::string>& name);
// Queues CAMPAIGN.VOUCHERS_GENERATE for `count` codes of `campaign` in `tx`; the runner is woken
// once the unit commits.
Result<std::string> enqueue_generation(UnitOfWork& tx, const Principal& who,
                                       const Campaign& campaign, int64_t count,
                                       const CodeConfig& config,
                                       const std::function<void()>& wake_jobs);

}  // namespace openpromo
