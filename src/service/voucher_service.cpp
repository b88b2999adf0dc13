#include "service/voucher_service.h"

#include <chrono>
#include <map>

#include "core/crypto.h"
#include "service/definitions.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"

namespace openpromo {
namespace {

Error invalid_voucher(std::string details) {
  return Error{400, "invalid_voucher", "Invalid voucher", std::move(details), {}, {}};
}

constexpr const char* kInheritedKeys[] = {"discount", "gift", "loyalty_card"};
constexpr const char* kWindowKeys[] = {"validity_timeframe", "validity_day_of_week",
                                       "validity_hours"};

Status apply_windows(const VoucherInput& in, JsonObject& definition) {
  if (in.validity_timeframe) {
    OP_TRY(check_validity_timeframe(*in.validity_timeframe));
    definition["validity_timeframe"] = *in.validity_timeframe;
  }
  if (in.validity_day_of_week) {
    OP_TRY(check_validity_day_of_week(*in.validity_day_of_week));
    definition["validity_day_of_week"] = *in.validity_day_of_week;
  }
  if (in.validity_hours) {
    OP_TRY(check_validity_hours(*in.validity_hours));
    definition["validity_hours"] = *in.validity_hours;
  }
  if (in.additional_info) definition["additional_info"] = *in.additional_info;
  return {};
}

}  // namespace

Status VoucherService::apply_fields(const Principal& who, const VoucherInput& in, Voucher& v) {
  if (in.category_id) {
    OP_ASSIGN(auto cat, store_.find_category(who.project_id, *in.category_id));
    if (!cat) return Error::not_found("category", *in.category_id);
    v.category_id = cat->id;
  } else if (in.category) {
    ListQuery q;
    q.limit = 1;
    q.filters.push_back(FilterCondition{"name", FilterOp::kIs, {*in.category}});
    OP_ASSIGN(auto page, store_.list_categories(who.project_id, q));
    if (page.items.empty()) return Error::not_found("category", *in.category);
    v.category_id = page.items[0].id;
  }
  if (in.active) v.active = *in.active;
  if (in.start_date) v.start_date = *in.start_date;
  if (in.expiration_date) v.expiration_date = *in.expiration_date;
  if (v.start_date && v.expiration_date && *v.expiration_date <= *v.start_date) {
    return invalid_voucher("expiration_date must be after start_date");
  }
  if (in.redemption_quantity) {
    if (*in.redemption_quantity && **in.redemption_quantity < 1) {
      return invalid_voucher("redemption.quantity must be null or an integer >= 1");
    }
    v.redemption_quantity = *in.redemption_quantity;
  }
  return {};
}

Result<Voucher> VoucherService::find(const Principal& who, std::string_view code_or_id) {
  OP_ASSIGN(auto project, store_.find_project(who.project_id));
  const bool case_sensitive = !project || project->case_sensitive_codes;
  OP_ASSIGN(auto found, store_.find_voucher(who.project_id, code_or_id, case_sensitive));
  if (!found) return Error::not_found("voucher", std::string(code_or_id));
  return std::move(*found);
}

Result<VoucherView> VoucherService::view_of(const Principal& who, Voucher v) {
  std::optional<Campaign> campaign;
  if (v.campaign_id) {
    OP_ASSIGN(campaign, store_.find_campaign(who.project_id, *v.campaign_id));
  }
  return view_of(who, std::move(v), campaign);
}

Result<VoucherView> VoucherService::view_of(const Principal& who, Voucher v,
                                            const std::optional<Campaign>& campaign) {
  VoucherView view;
  view.definition = v.definition;
  if (campaign) {
    const Json* tmpl = campaign->definition.if_contains("voucher");
    if (tmpl && tmpl->is_object()) {
      for (const char* key : kInheritedKeys) {
        if (!view.definition.contains(key) && tmpl->as_object().contains(key)) {
          view.definition[key] = tmpl->as_object().at(key);
        }
      }
    }
    for (const char* key : kWindowKeys) {
      if (!view.definition.contains(key) && campaign->definition.contains(key)) {
        view.definition[key] = campaign->definition.at(key);
      }
    }
    view.campaign = campaign;
  }
  if (!view.definition.contains("metadata")) view.definition["metadata"] = JsonObject{};
  if (v.category_id) {
    OP_ASSIGN(view.category, store_.find_category(who.project_id, *v.category_id));
  }
  view.voucher = std::move(v);
  return view;
}

Result<VoucherView> VoucherService::create(const Principal& who, const VoucherInput& in) {
  OP_ASSIGN(auto project_found, store_.find_project(who.project_id));
  if (!project_found) return Error::internal("the key's project does not exist");
  const Project& project = *project_found;
  Voucher v;
  std::optional<Campaign> campaign;
  const Instant now = now_utc();
  if (in.campaign) {
    OP_ASSIGN(campaign, store_.find_campaign(who.project_id, *in.campaign));
    if (!campaign) return Error::not_found("campaign", *in.campaign);
    if (campaign->campaign_type == CampaignType::kPromotion) {
      return invalid_voucher("a PROMOTION campaign has tiers, not codes");
    }
    v = CampaignService::voucher_from_template(*campaign, now);
  }
  v.project_id = who.project_id;
  v.created_at = now;
  if (in.type) {
    auto t = voucher_type_from_string(*in.type);
    if (!t) return invalid_voucher("type must be DISCOUNT_VOUCHER, GIFT_VOUCHER or LOYALTY_CARD");
    if (campaign && *t != v.type) return invalid_voucher("type differs from the campaign's");
    v.type = *t;
  }
  if (!campaign) {
    // A standalone voucher carries its whole definition.
    if (v.type == VoucherType::kDiscount) {
      if (!in.discount) return invalid_voucher("discount is required for a DISCOUNT_VOUCHER");
      OP_TRY(check_discount(*in.discount));
      v.definition["discount"] = *in.discount;
    } else if (v.type == VoucherType::kGift) {
      const Json* amount =
          in.gift && in.gift->is_object() ? in.gift->as_object().if_contains("amount") : nullptr;
      if (!amount || !amount->is_int64() || amount->as_int64() <= 0) {
        return Error{400,
                     "invalid_balance",
                     "Invalid balance",
                     "gift.amount must be an integer greater than 0",
                     {},
                     {}};
      }
      v.gift_amount = v.gift_balance = amount->as_int64();
      JsonObject gift;
      gift["effect"] = in.gift->as_object().contains("effect") ? in.gift->as_object().at("effect")
                                                               : Json("APPLY_TO_ORDER");
      v.definition["gift"] = std::move(gift);
    } else {
      const Json* points = in.loyalty_card && in.loyalty_card->is_object()
                               ? in.loyalty_card->as_object().if_contains("points")
                               : nullptr;
      if (!points || !points->is_int64() || points->as_int64() < 0) {
        return invalid_voucher("loyalty_card.points must be an integer >= 0");
      }
      v.loyalty_points = v.loyalty_balance = points->as_int64();
    }
  } else if (in.discount) {
    OP_TRY(check_discount(*in.discount));
    v.definition["discount"] = *in.discount;
  }
  OP_TRY(apply_fields(who, in, v));
  if (in.metadata) {
    OP_TRY(check_metadata(*in.metadata));
    v.definition["metadata"] = in.metadata->is_null() ? Json(JsonObject{}) : *in.metadata;
  }
  OP_TRY(check_metadata_schema(store_, who.project_id, "voucher",
                               in.metadata ? *in.metadata : Json(JsonObject{}), true));
  OP_TRY(apply_windows(in, v.definition));

  const bool given_code = in.code.has_value();
  if (given_code) OP_TRY(check_code(*in.code));
  CodeConfig config;
  if (in.code_config) {
    OP_ASSIGN(config, code_config_from_json(*in.code_config));
  } else if (campaign) {
    OP_ASSIGN(config, CampaignService::code_config_of(*campaign));
  }
  OP_TRY(config.check_capacity(1));
  CodeGenerator generator(config);
  for (int attempt = 0;; ++attempt) {
    v.id = new_id("v_");
    v.code = given_code ? *in.code : generator.next();
    auto inserted = store_.insert_voucher(v, project.case_sensitive_codes);
    if (inserted.ok()) break;
    if (given_code || inserted.error().key != "duplicate_found" || attempt > 20) {
      return std::move(inserted).take_error();
    }
  }
  if (campaign) OP_TRY(store_.increment_vouchers_count(campaign->id, 1));
  return view_of(who, std::move(v), campaign);
}

Result<std::string> VoucherService::import(const Principal& who,
                                           std::vector<Result<VoucherInput>> items,
                                           const std::optional<std::string>& campaign,
                                           const std::string& request_id) {
  const auto started = std::chrono::steady_clock::now();
  AsyncAction action;
  action.id = new_id("aa_");
  action.project_id = who.project_id;
  action.type = campaign ? "CAMPAIGN.VOUCHERS_IMPORT" : "VOUCHERS.IMPORT";
  action.request_id = request_id;
  action.created_at = now_utc();
  std::string campaign_id;
  if (campaign) {
    OP_ASSIGN(auto found, store_.find_campaign(who.project_id, *campaign));
    if (!found) return Error::not_found("campaign", *campaign);
    campaign_id = found->id;
    action.payload["campaign_id"] = campaign_id;
  }
  JsonArray failed;
  int64_t done = 0;
  for (auto& item : items) {
    std::string code;
    Status outcome;
    if (!item.ok()) {
      outcome = item.error();
    } else {
      code = item->code.value_or("");
      if (!item->code) {
        outcome = Error{400, "invalid_voucher", "Invalid voucher", "code is required", {}, {}};
      } else {
        if (campaign) item->campaign = campaign_id;
        auto created = create(who, *item);
        if (!created.ok()) outcome = created.error();
      }
    }
    if (outcome.ok()) {
      ++done;
    } else {
      JsonObject f;
      f["code"] = code;
      f["reason"] =
          outcome.error().details.empty() ? outcome.error().message : outcome.error().details;
      failed.push_back(std::move(f));
    }
  }
  action.status = "DONE";
  action.operation_status = failed.empty() ? "SUCCESS" : (done == 0 ? "FAILED" : "SUCCESS");
  action.progress = 100;
  action.done_count = done;
  action.result["message"] = std::to_string(done) + " voucher(s) imported successfully, " +
                             std::to_string(failed.size()) + " failed.";
  action.result["done_count"] = done;
  action.result["failed_count"] = static_cast<int64_t>(failed.size());
  if (!failed.empty()) action.result["failed"] = std::move(failed);
  action.result["processing_time"] =
      static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - started)
                               .count());
  OP_TRY(store_.insert_async_action(action));
  return action.id;
}

Result<Page<VoucherTransaction>> VoucherService::transactions(const Principal& who,
                                                              std::string_view code_or_id,
                                                              const ListQuery& query) {
  OP_ASSIGN(Voucher v, find(who, code_or_id));
  return store_.list_voucher_transactions(who.project_id, v.id, query);
}

Result<VoucherView> VoucherService::get(const Principal& who, std::string_view code_or_id) {
  OP_ASSIGN(Voucher v, find(who, code_or_id));
  return view_of(who, std::move(v));
}

Result<Page<VoucherView>> VoucherService::list(const Principal& who, const ListQuery& query) {
  OP_ASSIGN(auto page, store_.list_vouchers(who.project_id, query));
  Page<VoucherView> out;
  out.total = page.total;
  out.has_more = page.has_more;
  std::map<std::string, std::optional<Campaign>> campaigns;  // one read per campaign per page
  for (auto& v : page.items) {
    std::optional<Campaign> campaign;
    if (v.campaign_id) {
      auto it = campaigns.find(*v.campaign_id);
      if (it == campaigns.end()) {
        OP_ASSIGN(auto found, store_.find_campaign(who.project_id, *v.campaign_id));
        it = campaigns.emplace(*v.campaign_id, std::move(found)).first;
      }
      campaign = it->second;
    }
    OP_ASSIGN(auto view, view_of(who, std::move(v), campaign));
    out.items.push_back(std::move(view));
  }
  return out;
}

Result<VoucherView> VoucherService::update(const Principal& who, std::string_view code_or_id,
                                           const VoucherInput& in) {
  OP_ASSIGN(Voucher v, find(who, code_or_id));
  if (in.type && voucher_type_from_string(*in.type) != v.type) {
    return invalid_voucher("a voucher's type cannot be changed");
  }
  if (in.discount) {
    OP_TRY(check_discount(*in.discount));
    v.definition["discount"] = *in.discount;
  }
  OP_TRY(apply_fields(who, in, v));
  if (in.metadata) {
    // Voucherify merges metadata keys on update; null removes a key.
    OP_TRY(check_metadata(*in.metadata));
    OP_TRY(check_metadata_schema(store_, who.project_id, "voucher", *in.metadata, false));
    merge_metadata(v.definition, *in.metadata);
  }
  OP_TRY(apply_windows(in, v.definition));
  v.updated_at = now_utc();
  OP_TRY(store_.update_voucher(v));
  return get(who, v.id);
}

Result<VoucherView> VoucherService::set_active(const Principal& who, std::string_view code_or_id,
                                               bool active) {
  OP_ASSIGN(Voucher v, find(who, code_or_id));
  OP_TRY(store_.set_voucher_active(who.project_id, v.id, active, now_utc()));
  return get(who, v.id);
}

Status VoucherService::remove(const Principal& who, std::string_view code_or_id, bool force) {
  OP_TRY(require_admin(who, "delete vouchers"));
  OP_ASSIGN(Voucher v, find(who, code_or_id));
  if (force) return store_.delete_voucher_permanently(who.project_id, v.id);
  return store_.bin_voucher(who.project_id, v.id, now_utc());
}

Result<VoucherView> VoucherService::adjust_balance(const Principal& who,
                                                   std::string_view code_or_id,
                                                   const BalanceChange& change) {
  OP_ASSIGN(Voucher v, find(who, code_or_id));
  if (v.type != VoucherType::kGift) {
    return Error{400,
                 "invalid_add_balance_params",
                 "Invalid add balance params",
                 "Only gift cards have a balance to adjust here",
                 v.id,
                 "voucher"};
  }
  if (change.amount == 0) {
    return Error{400,
                 "invalid_add_balance_params",
                 "Invalid add balance params",
                 "amount must be a non-zero integer",
                 v.id,
                 "voucher"};
  }
  VoucherTransaction tx;
  tx.id = new_id("vtx_");
  tx.type = change.amount > 0 ? "CREDITS_ADDITION" : "CREDITS_REMOVAL";
  tx.amount = change.amount;
  tx.source_id = change.source_id;
  tx.reason = change.reason;
  tx.source = "API";
  tx.created_at = now_utc();
  OP_ASSIGN(Voucher updated, store_.adjust_gift_balance(who.project_id, v.id, std::move(tx)));
  return view_of(who, std::move(updated));
}

}  // namespace openpromo
