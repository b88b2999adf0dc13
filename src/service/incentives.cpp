#include "service/incentives.h"

#include "engine/definitions.h"

namespace openpromo {
namespace {

constexpr const char* kInheritedKeys[] = {"discount", "gift", "loyalty_card"};
constexpr const char* kWindowKeys[] = {"validity_timeframe", "validity_day_of_week",
                                       "validity_hours"};

void put_date(JsonObject& o, const char* key, const std::optional<Instant>& own,
              const std::optional<Instant>& inherited) {
  o.erase(key);
  if (own) {
    o[key] = format_iso8601(*own);
  } else if (inherited) {
    o[key] = format_iso8601(*inherited);
  }
}

std::optional<engine::CategoryRef> category_of(const engine::Catalog& catalog,
                                               const std::optional<std::string>& id) {
  if (!id) return std::nullopt;
  const auto it = catalog.categories.find(*id);
  if (it == catalog.categories.end()) return std::nullopt;
  return it->second;
}

JsonObject campaign_ref(const Campaign* c) {
  if (!c) return {};
  return JsonObject{{"id", c->id}, {"name", c->name}, {"active", c->active}};
}

// The engine's definition object of a voucher (engine/definitions.h describes the shape).
JsonObject voucher_engine_definition(const Voucher& v, const Campaign* campaign) {
  JsonObject def = effective_voucher_definition(v, campaign);
  def["object"] = "voucher";
  def["id"] = v.id;
  def["code"] = v.code;
  def["type"] = to_string(v.type);
  def["active"] = v.active;
  put_date(def, "start_date", v.start_date, campaign ? campaign->start_date : std::nullopt);
  put_date(def, "expiration_date", v.expiration_date,
           campaign ? campaign->expiration_date : std::nullopt);
  def["redemption"] = JsonObject{
      {"quantity", v.redemption_quantity ? Json(*v.redemption_quantity) : Json(nullptr)}};
  if (v.holder_id) def["holder_id"] = *v.holder_id;
  def["campaign"] = campaign_ref(campaign);
  return def;
}

JsonObject tier_engine_definition(const PromotionTier& t, const Campaign* c) {
  JsonObject def = t.definition;
  def["object"] = "promotion_tier";
  def["id"] = t.id;
  def["name"] = t.name;
  def["active"] = t.active;
  put_date(def, "start_date", t.start_date, c ? c->start_date : std::nullopt);
  put_date(def, "expiration_date", t.expiration_date, c ? c->expiration_date : std::nullopt);
  // A tier whose campaign is missing (binned) is inactive.
  def["campaign"] = c ? campaign_ref(c) : JsonObject{{"id", t.campaign_id}, {"active", false}};
  return def;
}

}  // namespace

JsonObject effective_voucher_definition(const Voucher& v, const Campaign* campaign) {
  JsonObject def = v.definition;
  if (campaign) {
    const Json* tmpl = campaign->definition.if_contains("voucher");
    if (tmpl && tmpl->is_object()) {
      for (const char* key : kInheritedKeys) {
        if (!def.contains(key) && tmpl->as_object().contains(key)) {
          def[key] = tmpl->as_object().at(key);
        }
      }
    }
    for (const char* key : kWindowKeys) {
      if (!def.contains(key) && campaign->definition.contains(key)) {
        def[key] = campaign->definition.at(key);
      }
    }
  }
  // Codes of a campaign that uses the voucher metadata schema take the template's metadata
  // (`voucher.metadata`) under their own keys, so an edit of it reaches every code at once
  // (spec 13.1), published and redeemed ones included.
  if (campaign && campaign->use_voucher_metadata_schema) {
    const Json* tmpl = campaign->definition.if_contains("voucher");
    const Json* shared =
        tmpl && tmpl->is_object() ? tmpl->as_object().if_contains("metadata") : nullptr;
    if (shared && shared->is_object()) {
      JsonObject merged = shared->as_object();
      if (const Json* own = def.if_contains("metadata"); own && own->is_object()) {
        for (const auto& kv : own->as_object()) merged[kv.key()] = kv.value();
      }
      def["metadata"] = std::move(merged);
    }
  }
  if (!def.contains("metadata")) def["metadata"] = JsonObject{};
  return def;
}

Voucher voucher_from_template(const Campaign& c, Instant now) {
  Voucher v;
  v.project_id = c.project_id;
  v.campaign_id = c.id;
  v.category_id = c.category_id;
  v.start_date = c.start_date;
  v.expiration_date = c.expiration_date;
  v.created_at = now;
  const Json* tmpl_value = c.definition.if_contains("voucher");
  if (!tmpl_value || !tmpl_value->is_object()) return v;
  const JsonObject& tmpl = tmpl_value->as_object();
  if (const Json* t = tmpl.if_contains("type"); t && t->is_string()) {
    v.type = voucher_type_from_string(t->as_string()).value_or(VoucherType::kDiscount);
  }
  if (const Json* r = tmpl.if_contains("redemption"); r && r->is_object()) {
    if (const Json* q = r->as_object().if_contains("quantity"); q && q->is_int64()) {
      v.redemption_quantity = q->as_int64();
    }
  }
  if (const Json* g = tmpl.if_contains("gift"); g && g->is_object()) {
    if (const Json* a = g->as_object().if_contains("amount"); a && a->is_int64()) {
      v.gift_amount = v.gift_balance = a->as_int64();
    }
  }
  if (const Json* l = tmpl.if_contains("loyalty_card"); l && l->is_object()) {
    if (const Json* p = l->as_object().if_contains("points"); p && p->is_int64()) {
      v.loyalty_points = v.loyalty_balance = p->as_int64();
    }
  }
  if (const Json* r = tmpl.if_contains("is_referral_code"); r && r->is_bool()) {
    v.is_referral_code = r->as_bool();
  }
  return v;
}

namespace {

// Builds the incentive; an error is a definition the engine cannot evaluate.
Result<engine::Incentive> build_voucher(const Voucher& v, const Campaign* campaign,
                                        const engine::Catalog& catalog) {
  using engine::Incentive;
  if (v.unreadable) {
    return engine::broken_incentive(Incentive::Kind::kVoucher, v.id,
                                    "the voucher's stored definition: " + *v.unreadable);
  }
  if (campaign && campaign->unreadable) {
    return engine::broken_incentive(
        Incentive::Kind::kVoucher, v.id,
        "campaign " + campaign->id + "'s stored definition: " + *campaign->unreadable);
  }
  std::vector<std::string> objects{v.id};
  if (campaign) objects.push_back(campaign->id);
  OP_ASSIGN(Incentive inc, engine::incentive_from_json(voucher_engine_definition(v, campaign),
                                                       catalog.rules_of(objects)));
  inc.category = category_of(
      catalog, v.category_id ? v.category_id : (campaign ? campaign->category_id : std::nullopt));
  return inc;
}

Result<engine::Incentive> build_tier(const PromotionTier& t, const Campaign* c,
                                     const engine::Catalog& catalog) {
  using engine::Incentive;
  if (t.unreadable) {
    return engine::broken_incentive(Incentive::Kind::kPromotionTier, t.id,
                                    "the tier's stored definition: " + *t.unreadable);
  }
  OP_ASSIGN(Incentive inc, engine::incentive_from_json(tier_engine_definition(t, c),
                                                       catalog.rules_of({t.id, t.campaign_id})));
  inc.category =
      category_of(catalog, t.category_id ? t.category_id : (c ? c->category_id : std::nullopt));
  return inc;
}

Voucher template_voucher(const Campaign& c) {
  Voucher tmpl = voucher_from_template(c, c.created_at);
  tmpl.id = c.id;  // the template stands for the campaign's codes
  return tmpl;
}

// A stored definition the engine cannot evaluate any more (written by an older version, or
// edited in the database): the incentive exists and is inapplicable, with the reason.
engine::Incentive or_broken(Result<engine::Incentive> built, engine::Incentive::Kind kind,
                            const std::string& id) {
  if (built.ok()) return std::move(built).value();
  const Error& e = built.error();
  return engine::broken_incentive(kind, id, e.details.empty() ? e.message : e.details);
}

Status evaluates(Result<engine::Incentive> built) {
  if (!built.ok()) return std::move(built).take_error();
  if (!built->broken.empty()) return Error::invalid_payload(built->broken);
  return {};
}

}  // namespace

engine::Incentive voucher_incentive(const Voucher& v, const Campaign* campaign,
                                    const engine::Catalog& catalog) {
  return or_broken(build_voucher(v, campaign, catalog), engine::Incentive::Kind::kVoucher, v.id);
}

engine::Incentive tier_incentive(const PromotionTier& t, const Campaign* c,
                                 const engine::Catalog& catalog) {
  return or_broken(build_tier(t, c, catalog), engine::Incentive::Kind::kPromotionTier, t.id);
}

engine::Incentive template_incentive(const Campaign& c, const engine::Catalog& catalog) {
  return or_broken(build_voucher(template_voucher(c), &c, catalog),
                   engine::Incentive::Kind::kVoucher, c.id);
}

Status check_voucher_evaluates(const Voucher& v, const Campaign* campaign) {
  return evaluates(build_voucher(v, campaign, engine::Catalog{}));
}

Status check_tier_evaluates(const PromotionTier& t, const Campaign& campaign) {
  return evaluates(build_tier(t, &campaign, engine::Catalog{}));
}

Status check_template_evaluates(const Campaign& campaign) {
  return evaluates(build_voucher(template_voucher(campaign), &campaign, engine::Catalog{}));
}

}  // namespace openpromo
