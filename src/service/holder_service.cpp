#include "service/holder_service.h"

#include "core/crypto.h"
#include "core/time.h"
#include "service/campaign_service.h"
#include "service/customer_service.h"
#include "store/customer_repository.h"
#include "store/holder_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {
namespace {

bool is_referral(const Voucher& v, const std::optional<Campaign>& c) {
  return v.is_referral_code || (c && c->campaign_type == CampaignType::kReferralProgram);
}

struct ReferralCode {
  Voucher voucher;
  std::optional<Campaign> campaign;
};

// The referral code a holders call names: in the campaign when the URL names one.
Result<ReferralCode> find_referral_code(UnitOfWork& tx, const Principal& who,
                                        const ReferralMember& member) {
  const Scope scope = who.scope();
  ReferralCode out;
  std::optional<Campaign> named;
  if (member.campaign) {
    OP_ASSIGN(named, find_campaign(tx, scope, *member.campaign));
  }
  OP_ASSIGN(auto v,
            VoucherRepository(tx).find(scope, member.member, who.project.case_sensitive_codes));
  if (!v || (named && v->campaign_id != named->id)) {
    return Error::not_found("voucher", member.member);
  }
  out.voucher = std::move(*v);
  if (named) {
    out.campaign = std::move(named);
  } else if (out.voucher.campaign_id) {
    OP_ASSIGN(out.campaign, find_campaign(tx, scope, *out.voucher.campaign_id));
  }
  if (!is_referral(out.voucher, out.campaign)) {
    return Error{400,
                 "invalid_voucher",
                 "Invalid voucher",
                 "voucher " + out.voucher.code + " is not a referral code",
                 out.voucher.id,
                 "voucher"};
  }
  return out;
}

RedeemableHolder holder_of(const Scope& scope, const Voucher& v, const Campaign* c,
                           std::string customer_id, std::string_view role, Instant now) {
  RedeemableHolder h;
  h.id = new_id("rh_");
  h.project_id = scope.project_id;
  h.redeemable_id = v.id;
  h.customer_id = std::move(customer_id);
  h.holder_role = std::string(role);
  h.campaign_id = v.campaign_id;
  if (c) h.campaign_type = std::string(to_string(c->campaign_type));
  h.voucher_type = std::string(to_string(v.type));
  h.created_at = now;
  return h;
}

Status record_assignment(UnitOfWork& tx, const Scope& scope, const RedeemableHolder& h,
                         const Voucher& v, std::string_view type) {
  CustomerActivity a;
  a.id = new_id("evcus_");
  a.project_id = scope.project_id;
  a.customer_id = h.customer_id;
  a.type = std::string(type);
  a.data = JsonObject{
      {"holder", JsonObject{{"id", h.id}, {"holder_role", h.holder_role}}},
      {"voucher", JsonObject{{"id", v.id}, {"code", v.code}, {"object", "voucher"}}},
      {"campaign", h.campaign_id ? Json(JsonObject{{"id", *h.campaign_id}}) : Json(nullptr)},
      {"customer", JsonObject{{"id", h.customer_id}, {"object", "customer"}}}};
  a.created_at = now_utc();
  return ActivityRepository(tx).insert(scope, a);
}

}  // namespace

std::string redeemable_status(const VoucherView& view, Instant now) {
  const Voucher& v = view.voucher;
  if (!v.active || (view.campaign && !view.campaign->active)) return "DISABLED";
  if (v.start_date && now < *v.start_date) return "NOT_ACTIVE_YET";
  if (v.expiration_date && *v.expiration_date < now) return "EXPIRED";
  if (v.redemption_quantity && v.redeemed_quantity >= *v.redemption_quantity) return "USED";
  if (v.type == VoucherType::kGift && v.gift_balance && *v.gift_balance <= 0) {
    return "NO_BALANCE";
  }
  return "ACTIVE";
}

Status record_holder_in(UnitOfWork& tx, const Scope& scope, const Voucher& voucher,
                        const Campaign* campaign, const std::string& customer_id, Instant now) {
  const bool referral = voucher.is_referral_code ||
                        (campaign && campaign->campaign_type == CampaignType::kReferralProgram);
  const RedeemableHolder h = holder_of(scope, voucher, campaign, customer_id,
                                       referral ? kHolderReferrer : kHolderOwner, now);
  OP_ASSIGN(const bool inserted, HolderRepository(tx).insert_if_new(scope, h));
  (void)inserted;  // a repeat publication (join_once) gives a code they hold already
  return {};
}

Result<Page<WalletEntry>> HolderService::wallet(const Principal& who, std::string_view customer,
                                                const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<WalletEntry>> {
    const Scope scope = who.scope();
    OP_ASSIGN(Customer c, find_customer_in(tx, scope, customer));
    OP_ASSIGN(auto page, HolderRepository(tx).list_of_customer(scope, c.id, query));
    Page<WalletEntry> out;
    out.total = page.total;
    out.has_more = page.has_more;
    const Instant now = now_utc();
    VoucherRepository vouchers(tx);
    for (RedeemableHolder& h : page.items) {
      OP_ASSIGN(auto v, vouchers.find(scope, h.redeemable_id, true));
      if (!v) return Error::unavailable("a code of the wallet changed while reading; retry");
      OP_ASSIGN(VoucherView view, voucher_view(tx, scope, std::move(*v), false));
      WalletEntry e{std::move(h), std::move(view), {}};
      e.status = redeemable_status(e.voucher, now);
      out.items.push_back(std::move(e));
    }
    return out;
  });
}

Result<Page<RedeemableHolder>> HolderService::holders(const Principal& who,
                                                      const ReferralMember& member,
                                                      const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<RedeemableHolder>> {
    OP_ASSIGN(ReferralCode code, find_referral_code(tx, who, member));
    return HolderRepository(tx).list_of_redeemable(who.scope(), code.voucher.id, query);
  });
}

Result<std::vector<RedeemableHolder>> HolderService::add_referees(
    const Principal& who, const ReferralMember& member, const std::vector<CustomerDraft>& referees,
    const JsonObject& metadata) {
  if (referees.empty() || referees.size() > kMaxRefereesPerCall) {
    return Error::invalid_payload("holders must list from 1 to " +
                                  std::to_string(kMaxRefereesPerCall) + " customers");
  }
  for (const CustomerDraft& d : referees) {
    if (!d.id && !d.source_id) {
      return Error::invalid_payload("each holder must have an id or a source_id");
    }
  }
  return store_.in_write([&](UnitOfWork& tx) -> Result<std::vector<RedeemableHolder>> {
    const Scope scope = who.scope();
    OP_ASSIGN(ReferralCode code, find_referral_code(tx, who, member));
    // The code's row is the lock: its referees are added one call after another.
    OP_ASSIGN(auto locked, VoucherRepository(tx).lock(scope, code.voucher.id));
    if (!locked || !locked->holder_id) {
      return Error{400,
                   "not_published",
                   "Not published",
                   "referral code " + code.voucher.code +
                       " must be published to its referrer before referees join it",
                   code.voucher.id,
                   "voucher"};
    }
    const Instant now = now_utc();
    HolderRepository holders(tx);
    std::vector<RedeemableHolder> out;
    for (const CustomerDraft& d : referees) {
      OP_ASSIGN(Customer c, upsert_customer_in(tx, who, wire_, d));
      RedeemableHolder h = holder_of(scope, code.voucher, code.campaign ? &*code.campaign : nullptr,
                                     c.id, kHolderReferee, now);
      h.metadata = metadata;
      OP_ASSIGN(const bool inserted, holders.insert_if_new(scope, h));
      if (!inserted) {
        return Error{409,
                     "holder_assignement_duplication",
                     "Duplicated holder assignment",
                     "customer " + c.id + " already holds " + code.voucher.code,
                     c.id,
                     "customer"};
      }
      OP_TRY(record_assignment(tx, scope, h, code.voucher, "customer.holder.assignment.created"));
      out.push_back(std::move(h));
    }
    return out;
  });
}

Status HolderService::remove_referee(const Principal& who, const ReferralMember& member,
                                     std::string_view holder_id) {
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    const Scope scope = who.scope();
    OP_ASSIGN(ReferralCode code, find_referral_code(tx, who, member));
    HolderRepository holders(tx);
    OP_ASSIGN(auto h, holders.find(scope, holder_id));
    if (!h || h->redeemable_id != code.voucher.id) {
      return Error::not_found("redeemable_holder", std::string(holder_id));
    }
    if (h->holder_role != kHolderReferee) {
      return Error{403,
                   "holder_removal_not_permitted",
                   "Forbidden",
                   "only referees can be removed from a referral code; the referrer holds it "
                   "by its publication",
                   h->id,
                   "redeemable_holder"};
    }
    OP_TRY(holders.remove(scope, h->id));
    return record_assignment(tx, scope, *h, code.voucher, "customer.holder.assignment.deleted");
  });
}

}  // namespace openpromo
