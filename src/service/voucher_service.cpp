#include "service/voucher_service.h"
#include "service/bin_service.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "core/crypto.h"
#include "core/money.h"
#include "service/definitions.h"
#include "service/events.h"
#include "service/incentives.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"
#include "service/validation_rule_service.h"
#include "store/async_action_repository.h"
#include "store/bin_repository.h"
#include "store/category_repository.h"
#include "store/validation_rule_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {
namespace {

Error invalid_voucher(std::string details) {
  return Error{400, "invalid_voucher", "Invalid voucher", std::move(details), {}, {}};
}

Status apply_windows(const VoucherInput& in, JsonObject& definition) {
  for (auto [key, value] : {std::pair{"validity_timeframe", &in.validity_timeframe},
                            std::pair{"validity_day_of_week", &in.validity_day_of_week},
                            std::pair{"validity_hours", &in.validity_hours}}) {
    if (!*value) continue;
    OP_TRY(check_window(key, **value));
    definition[key] = **value;
  }
  if (in.additional_info) definition["additional_info"] = *in.additional_info;
  return {};
}

// Category (by id or name), active, dates and redemption quantity: shared by create and update.
Status apply_fields(UnitOfWork& tx, const Scope& scope, const VoucherInput& in, Voucher& v) {
  if (in.category_id || in.category) {
    OP_ASSIGN(v.category_id, resolve_category(tx, scope, in.category_id, in.category));
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

Result<Voucher> find_voucher(UnitOfWork& tx, const Principal& who, std::string_view code_or_id) {
  OP_ASSIGN(auto found,
            VoucherRepository(tx).find(who.scope(), code_or_id, who.project.case_sensitive_codes));
  if (!found) return Error::not_found("voucher", std::string(code_or_id));
  return std::move(*found);
}

// The voucher an edit changes: a restricted caller must own its campaign (spec 14.2), a code
// without one it cannot see at all (the repository refuses it).
Result<Voucher> find_voucher_to_edit(UnitOfWork& tx, const Principal& who,
                                     std::string_view code_or_id) {
  OP_ASSIGN(Voucher v, find_voucher(tx, who, code_or_id));
  if (who.scope().restricted && v.campaign_id) {
    OP_ASSIGN(Campaign c, find_campaign(tx, who.scope(), *v.campaign_id));
    OP_TRY(require_owner(c, "changed"));
  }
  return v;
}

// What an audit entry keeps of a voucher of a campaign.
Json voucher_state(const Voucher& v) {
  auto time = [](const std::optional<Instant>& t) {
    return t ? Json(format_iso8601(*t)) : Json(nullptr);
  };
  return JsonObject{
      {"code", v.code},
      {"active", v.active},
      {"start_date", time(v.start_date)},
      {"expiration_date", time(v.expiration_date)},
      {"redemption_quantity", v.redemption_quantity ? Json(*v.redemption_quantity) : Json(nullptr)},
      {"category_id", v.category_id ? Json(*v.category_id) : Json(nullptr)},
      {"definition", v.definition}};
}

// An audit entry under the voucher's campaign; codes outside campaigns have no campaign log.
Status audit_voucher(UnitOfWork& tx, const Principal& who, const Voucher& v,
                     std::string_view action, Json before, Json after) {
  if (!v.campaign_id) return {};
  return record_audit(tx, who, *v.campaign_id, action, "voucher", v.id, std::move(before),
                      std::move(after));
}

JsonObject event_data(const Voucher& v) {
  return JsonObject{{"id", v.id},
                    {"code", v.code},
                    {"campaign_id", v.campaign_id ? Json(*v.campaign_id) : Json(nullptr)},
                    {"object", "voucher"}};
}

}  // namespace

Result<VoucherView> voucher_view(UnitOfWork& tx, const Scope& scope, Voucher v,
                                 bool with_assignments) {
  VoucherView view;
  if (v.campaign_id) {
    OP_ASSIGN(view.campaign, CampaignRepository(tx).find(scope, *v.campaign_id));
  }
  view.definition = effective_voucher_definition(v, view.campaign ? &*view.campaign : nullptr);
  if (v.category_id) {
    OP_ASSIGN(view.category, CategoryRepository(tx).find(scope, *v.category_id));
  }
  if (with_assignments) {
    OP_ASSIGN(view.assignments, ValidationRuleRepository(tx).assignments_of(scope, v.id));
  }
  view.voucher = std::move(v);
  return view;
}

Result<VoucherView> VoucherService::create(const Principal& who, const VoucherInput& in) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<VoucherView> {
    std::optional<Campaign> campaign;
    if (in.campaign) {
      OP_ASSIGN(campaign, find_campaign(tx, who.scope(), *in.campaign));
      OP_TRY(require_owner(*campaign, "given codes"));
    }
    return create_in(tx, who, in, campaign);
  });
}

Result<VoucherView> VoucherService::create_in(UnitOfWork& tx, const Principal& who,
                                              const VoucherInput& in,
                                              const std::optional<Campaign>& campaign) {
  const Scope scope = who.scope();
  Voucher v;
  const Instant now = now_utc();
  if (campaign) {
    if (campaign->campaign_type == CampaignType::kPromotion) {
      return invalid_voucher("a PROMOTION campaign has tiers, not codes");
    }
    v = voucher_from_template(*campaign, now);
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
      if (!amount || !amount->is_int64() || amount->as_int64() <= 0 ||
          amount->as_int64() > kMaxMoney) {
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
  OP_TRY(apply_fields(tx, scope, in, v));
  if (in.metadata) {
    OP_TRY(check_metadata(*in.metadata));
    v.definition["metadata"] = in.metadata->is_null() ? Json(JsonObject{}) : *in.metadata;
  }
  OP_TRY(check_metadata_schema(tx, scope, "voucher",
                               in.metadata ? *in.metadata : Json(JsonObject{}), true));
  OP_TRY(apply_windows(in, v.definition));
  OP_TRY(check_voucher_evaluates(v, campaign ? &*campaign : nullptr));

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
  VoucherRepository vouchers(tx);
  for (int attempt = 0;; ++attempt) {
    v.id = new_id("v_");
    v.code = given_code ? *in.code : generator.next();
    OP_ASSIGN(const bool inserted,
              vouchers.insert_if_new(scope, v, who.project.case_sensitive_codes));
    if (inserted) break;
    if (given_code) {
      return Error::duplicate_found("voucher",
                                    "A voucher with code '" + v.code + "' already exists");
    }
    if (attempt > 20) return Error::unavailable("no free code found; retry");
  }
  if (campaign) OP_TRY(CampaignRepository(tx).add_vouchers_count(scope, campaign->id, 1));
  OP_TRY(assign_rules(tx, who, in.validation_rules, "voucher", v.id));
  OP_TRY(record_event(tx, who, "voucher.created", v.id, event_data(v)));
  return voucher_view(tx, scope, std::move(v), /*with_assignments=*/true);
}

Result<VoucherService::Added> VoucherService::add_to_campaign(const Principal& who,
                                                              std::string_view campaign_ref,
                                                              int64_t count,
                                                              const VoucherInput& overrides) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<Added> {
    OP_ASSIGN(Campaign c, find_campaign(tx, who.scope(), campaign_ref));
    OP_TRY(require_owner(c, "given codes"));
    if (c.campaign_type == CampaignType::kPromotion) {
      return Error{400,
                   "invalid_campaign_params",
                   "Invalid campaign params",
                   "a PROMOTION campaign has tiers, not codes",
                   {},
                   {}};
    }
    if (count < 1 || count > CampaignService::kMaxGeneratedPerRequest) {
      return Error{400,
                   "invalid_campaign_params",
                   "Invalid campaign params",
                   "vouchers_count must be between 1 and " +
                       std::to_string(CampaignService::kMaxGeneratedPerRequest),
                   {},
                   {}};
    }
    CodeConfig config;
    if (overrides.code_config) {
      OP_ASSIGN(config, code_config_from_json(*overrides.code_config));
    } else {
      OP_ASSIGN(config, CampaignService::code_config_of(c));
    }
    OP_TRY(config.check_capacity(count));
    Added out;
    if (count > 1) {
      OP_ASSIGN(out.async_action_id, enqueue_generation(tx, who, c, count, config, wake_jobs_));
      return out;
    }
    // One code: the campaign's template with the request's own fields.
    VoucherInput in = overrides;
    in.type.reset();
    in.code_config = code_config_to_json(config);
    OP_ASSIGN(out.voucher, create_in(tx, who, in, c));
    OP_TRY(record_event(tx, who, "campaign.vouchers.added", c.id,
                        JsonObject{{"campaign_id", c.id}, {"count", 1}}));
    return out;
  });
}

Result<Voucher> VoucherService::create_code_in(UnitOfWork& tx, const Principal& who,
                                               const Campaign& campaign) {
  OP_ASSIGN(CodeConfig config, CampaignService::code_config_of(campaign));
  VoucherInput in;
  in.code_config = code_config_to_json(config);
  OP_ASSIGN(VoucherView view, create_in(tx, who, in, campaign));
  OP_TRY(record_event(tx, who, "campaign.vouchers.added", campaign.id,
                      JsonObject{{"campaign_id", campaign.id}, {"count", 1}}));
  return std::move(view.voucher);
}

Result<std::string> VoucherService::import(const Principal& who,
                                           std::vector<Result<VoucherInput>> items,
                                           const std::optional<std::string>& campaign) {
  const auto started = std::chrono::steady_clock::now();
  AsyncAction action;
  action.id = new_id("aa_");
  action.project_id = who.project_id;
  action.type = campaign ? "CAMPAIGN.VOUCHERS_IMPORT" : "VOUCHERS.IMPORT";
  action.request_id = who.request_id;
  action.created_at = now_utc();
  std::string campaign_id;
  if (campaign) {
    OP_ASSIGN(auto tx, store_.statements());
    OP_ASSIGN(Campaign found, find_campaign(tx, who.scope(), *campaign));
    OP_TRY(require_owner(found, "given codes"));
    campaign_id = found.id;
    action.payload["campaign_id"] = campaign_id;
  }
  JsonArray failed;
  int64_t done = 0;
  for (auto& item : items) {
    std::string code;
    Status outcome;
    if (!item.ok()) {
      outcome = item.error();
      // A row that could not be read names its code when it had one (resource_id).
      if (item.error().resource_type == "voucher") code = item.error().resource_id;
    } else {
      code = item->code.value_or("");
      if (!item->code) {
        outcome = Error{400, "invalid_voucher", "Invalid voucher", "code is required", {}, {}};
      } else {
        if (campaign) item->campaign = campaign_id;
        // An import names categories as tags (the reference's CSV templates use "New"): one that
        // does not exist yet is created, ordered after the others.
        if (item->category && !item->category_id) {
          outcome = store_.in_write([&](UnitOfWork& tx) -> Status {
            CategoryRepository categories(tx);
            OP_ASSIGN(auto found, categories.find_by_name(who.scope(), *item->category));
            if (found) return {};
            OP_ASSIGN(auto all, categories.all(who.scope()));
            Category c;
            c.id = new_id("cat_");
            c.project_id = who.project_id;
            c.name = *item->category;
            for (const Category& other : all)
              c.hierarchy = std::max(c.hierarchy, other.hierarchy + 1);
            c.created_at = now_utc();
            return categories.insert(who.scope(), c);
          });
        }
        if (outcome.ok()) {
          auto created = create(who, *item);
          if (!created.ok()) outcome = created.error();
        }
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
  OP_TRY(store_.in_write(
      [&](UnitOfWork& tx) { return AsyncActionRepository(tx).insert(who.scope(), action); }));
  return action.id;
}

Result<Page<VoucherTransaction>> VoucherService::transactions(const Principal& who,
                                                              std::string_view code_or_id,
                                                              const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<VoucherTransaction>> {
    OP_ASSIGN(Voucher v, find_voucher(tx, who, code_or_id));
    return VoucherRepository(tx).transactions(who.scope(), v.id, query);
  });
}

Result<Page<VoucherTransaction>> VoucherService::campaign_transactions(
    const Principal& who, std::string_view campaign_id_or_name, const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<VoucherTransaction>> {
    OP_ASSIGN(Campaign c, find_campaign(tx, who.scope(), campaign_id_or_name));
    return VoucherRepository(tx).campaign_transactions(who.scope(), c.id, query);
  });
}

Result<VoucherView> VoucherService::get(const Principal& who, std::string_view code_or_id) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<VoucherView> {
    OP_ASSIGN(Voucher v, find_voucher(tx, who, code_or_id));
    return voucher_view(tx, who.scope(), std::move(v), true);
  });
}

Result<Page<VoucherView>> VoucherService::list(const Principal& who, const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<VoucherView>> {
    const Scope scope = who.scope();
    OP_ASSIGN(auto page, VoucherRepository(tx).list(scope, query));
    Page<VoucherView> out;
    out.total = page.total;
    out.has_more = page.has_more;
    // One read per campaign and category per page.
    std::map<std::string, std::optional<Campaign>> campaigns;
    std::map<std::string, std::optional<Category>> categories;
    for (auto& v : page.items) {
      VoucherView view;
      if (v.campaign_id) {
        auto it = campaigns.find(*v.campaign_id);
        if (it == campaigns.end()) {
          OP_ASSIGN(auto found, CampaignRepository(tx).find(scope, *v.campaign_id));
          it = campaigns.emplace(*v.campaign_id, std::move(found)).first;
        }
        view.campaign = it->second;
      }
      if (v.category_id) {
        auto it = categories.find(*v.category_id);
        if (it == categories.end()) {
          OP_ASSIGN(auto found, CategoryRepository(tx).find(scope, *v.category_id));
          it = categories.emplace(*v.category_id, std::move(found)).first;
        }
        view.category = it->second;
      }
      view.definition = effective_voucher_definition(v, view.campaign ? &*view.campaign : nullptr);
      view.voucher = std::move(v);
      out.items.push_back(std::move(view));
    }
    return out;
  });
}

Result<VoucherView> VoucherService::update(const Principal& who, std::string_view code_or_id,
                                           const VoucherInput& in) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<VoucherView> {
    const Scope scope = who.scope();
    OP_ASSIGN(Voucher found, find_voucher_to_edit(tx, who, code_or_id));
    // The row as it is under its lock: a concurrent update waits and then merges into what this
    // one wrote (metadata keys of two PUTs both survive).
    OP_ASSIGN(auto locked, VoucherRepository(tx).lock(scope, found.id));
    if (!locked) return Error::not_found("voucher", std::string(code_or_id));
    Voucher v = std::move(*locked);
    const Voucher before = v;
    if (in.type && voucher_type_from_string(*in.type) != v.type) {
      return invalid_voucher("a voucher's type cannot be changed");
    }
    if (in.discount) {
      OP_TRY(check_discount(*in.discount));
      v.definition["discount"] = *in.discount;
    }
    OP_TRY(apply_fields(tx, scope, in, v));
    if (in.metadata) {
      // Voucherify merges metadata keys on update; null removes a key.
      OP_TRY(check_metadata(*in.metadata));
      OP_TRY(check_metadata_schema(tx, scope, "voucher", *in.metadata, false));
      merge_metadata(v.definition, *in.metadata);
    }
    OP_TRY(apply_windows(in, v.definition));
    std::optional<Campaign> campaign;
    if (v.campaign_id) {
      OP_ASSIGN(campaign, CampaignRepository(tx).find(scope, *v.campaign_id));
    }
    OP_TRY(check_voucher_evaluates(v, campaign ? &*campaign : nullptr));
    v.updated_at = now_utc();
    OP_TRY(VoucherRepository(tx).update(scope, v));
    OP_TRY(record_event(tx, who, "voucher.updated", v.id, event_data(v)));
    OP_ASSIGN(Voucher stored, find_voucher(tx, who, v.id));
    OP_TRY(audit_voucher(tx, who, stored, "voucher.updated", voucher_state(before),
                         voucher_state(stored)));
    return voucher_view(tx, scope, std::move(stored), true);
  });
}

Result<VoucherView> VoucherService::set_active(const Principal& who, std::string_view code_or_id,
                                               bool active) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<VoucherView> {
    OP_ASSIGN(Voucher v, find_voucher_to_edit(tx, who, code_or_id));
    OP_TRY(VoucherRepository(tx).set_active(who.scope(), v.id, active, now_utc()));
    OP_TRY(audit_voucher(tx, who, v, active ? "voucher.enabled" : "voucher.disabled",
                         JsonObject{{"active", v.active}}, JsonObject{{"active", active}}));
    OP_TRY(record_event(tx, who, active ? "voucher.enabled" : "voucher.disabled", v.id,
                        event_data(v)));
    OP_ASSIGN(Voucher stored, find_voucher(tx, who, v.id));
    return voucher_view(tx, who.scope(), std::move(stored), true);
  });
}

Status VoucherService::remove(const Principal& who, std::string_view code_or_id, bool force) {
  OP_TRY(require_admin(who, "delete vouchers"));
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_ASSIGN(Voucher v, find_voucher_to_edit(tx, who, code_or_id));
    VoucherRepository vouchers(tx);
    if (force) {
      OP_TRY(vouchers.remove(who.scope(), v.id));
      OP_TRY(BinRepository(tx).remove_of(who.scope(), v.id));
    } else {
      const Instant now = now_utc();
      OP_TRY(vouchers.bin(who.scope(), v.id, now));
      OP_TRY(record_binned_in(tx, who, "voucher", v.id, v.code, v.campaign_id, now));
    }
    OP_TRY(audit_voucher(tx, who, v, force ? "voucher.deleted" : "voucher.binned", voucher_state(v),
                         nullptr));
    return record_event(tx, who, "voucher.deleted", v.id, event_data(v));
  });
}

Result<VoucherView> VoucherService::adjust_balance(const Principal& who,
                                                   std::string_view code_or_id,
                                                   const BalanceChange& change) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<VoucherView> {
    OP_ASSIGN(Voucher v, find_voucher_to_edit(tx, who, code_or_id));
    if (v.type != VoucherType::kGift) {
      return Error{400,
                   "invalid_add_balance_params",
                   "Invalid add balance params",
                   "Only gift cards have a balance to adjust here",
                   v.id,
                   "voucher"};
    }
    if (change.amount == 0 || change.amount > kMaxMoney || change.amount < -kMaxMoney) {
      return Error{400,
                   "invalid_add_balance_params",
                   "Invalid add balance params",
                   "amount must be a non-zero integer of at most " + std::to_string(kMaxMoney),
                   v.id,
                   "voucher"};
    }
    VoucherTransaction t;
    t.id = new_id("vtx_");
    t.type = change.amount > 0 ? "CREDITS_ADDITION" : "CREDITS_REMOVAL";
    t.amount = change.amount;
    t.source_id = change.source_id;
    t.reason = change.reason;
    t.source = "API";
    t.created_at = now_utc();
    OP_ASSIGN(Voucher updated,
              VoucherRepository(tx).adjust_gift_balance(who.scope(), v.id, std::move(t)));
    OP_TRY(record_event(tx, who, "voucher.gift.balance_added", v.id,
                        JsonObject{{"id", v.id},
                                   {"code", v.code},
                                   {"amount", change.amount},
                                   {"balance", updated.gift_balance.value_or(0)},
                                   {"object", "voucher"}}));
    return voucher_view(tx, who.scope(), std::move(updated), true);
  });
}

}  // namespace openpromo
