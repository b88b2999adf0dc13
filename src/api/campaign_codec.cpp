#include "api/campaign_codec.h"

#include "api/json_codec.h"
#include "api/rule_codec.h"

namespace openpromo::api {

namespace json = boost::json;

namespace {

json::value category_list(const std::optional<Category>& category) {
  json::array list;
  if (category) list.push_back(category_json(*category));
  return list;
}

json::object empty_assignments() {
  json::object a;
  a["object"] = "list";
  a["data_ref"] = "data";
  a["data"] = json::array{};
  a["total"] = 0;
  return a;
}

json::value from_definition(const JsonObject& d, std::string_view key) {
  const json::value* v = d.if_contains(key);
  return v ? *v : json::value(nullptr);
}

}  // namespace

// `access_settings: {assign?: {areas_ids?, area_stores_ids?, area_all_stores_ids?}, unassign?}`;
// null anywhere means nothing at that place (the contract makes every part nullable).
static Result<std::optional<AccessSettings>> read_access_settings(const json::object& body) {
  const json::value* v = body.if_contains("access_settings");
  if (!v || v->is_null()) return std::optional<AccessSettings>{};
  if (!v->is_object()) return Error::invalid_payload("access_settings must be an object");
  AccessSettings out;
  for (const auto& [key, value] : v->as_object()) {
    AssignmentIds* ids = key == "assign"     ? &out.assign
                         : key == "unassign" ? &out.unassign
                                             : nullptr;
    if (!ids) {
      return Error::invalid_payload("access_settings." + std::string(key) +
                                    " is not a field (assign, unassign)");
    }
    if (value.is_null()) continue;
    if (!value.is_object()) {
      return Error::invalid_payload("access_settings." + std::string(key) + " must be an object");
    }
    for (const auto& [list_key, list] : value.as_object()) {
      std::vector<std::string>* target = list_key == "areas_ids"         ? &ids->areas_ids
                                         : list_key == "area_stores_ids" ? &ids->area_stores_ids
                                         : list_key == "area_all_stores_ids"
                                             ? &ids->area_all_stores_ids
                                             : nullptr;
      const std::string where = "access_settings." + std::string(key) + "." + std::string(list_key);
      if (!target) {
        return Error::invalid_payload(where +
                                      " is not a field (areas_ids, area_stores_ids,"
                                      " area_all_stores_ids)");
      }
      if (list.is_null()) continue;
      if (!list.is_array()) return Error::invalid_payload(where + " must be an array of ids");
      if (list.as_array().size() > static_cast<size_t>(kMaxAssignments)) {
        return Error::invalid_payload(where + " lists more than " +
                                      std::to_string(kMaxAssignments) + " ids");
      }
      for (const json::value& id : list.as_array()) {
        if (!id.is_string() || id.as_string().empty()) {
          return Error::invalid_payload(where + " must list non-empty id strings");
        }
        target->emplace_back(id.as_string());
      }
    }
  }
  return std::optional<AccessSettings>(std::move(out));
}

Result<CampaignInput> read_campaign_input(const json::object& body) {
  CampaignInput in;
  OP_ASSIGN(in.name, read_string(body, "name"));
  OP_ASSIGN(in.description, read_string(body, "description"));
  OP_ASSIGN(in.campaign_type, read_string(body, "campaign_type"));
  OP_ASSIGN(in.type, read_string(body, "type"));
  OP_ASSIGN(in.category_id, read_string(body, "category_id"));
  OP_ASSIGN(in.category, read_string(body, "category"));
  OP_ASSIGN(in.start_date, read_date(body, "start_date"));
  OP_ASSIGN(in.expiration_date, read_date(body, "expiration_date"));
  OP_ASSIGN(in.join_once, read_bool(body, "join_once"));
  OP_ASSIGN(in.auto_join, read_bool(body, "auto_join"));
  OP_ASSIGN(in.use_voucher_metadata_schema, read_bool(body, "use_voucher_metadata_schema"));
  OP_ASSIGN(in.is_protected, read_bool(body, "protected"));
  OP_ASSIGN(in.vouchers_count, read_integer(body, "vouchers_count"));
  OP_ASSIGN(in.access_settings, read_access_settings(body));
  in.voucher = read_any(body, "voucher");
  in.validity_timeframe = read_any(body, "validity_timeframe");
  in.validity_day_of_week = read_any(body, "validity_day_of_week");
  in.validity_hours = read_any(body, "validity_hours");
  in.referral_program = read_any(body, "referral_program");
  in.activity_duration_after_publishing = read_any(body, "activity_duration_after_publishing");
  in.metadata = read_any(body, "metadata");
  OP_ASSIGN(in.validation_rules, read_rule_ids(body));
  if (const json::value* unset = body.if_contains("unset_metadata_fields");
      unset && !unset->is_null()) {
    if (!unset->is_array()) {
      return Error::invalid_payload("unset_metadata_fields must be an array of keys");
    }
    for (const json::value& key : unset->as_array()) {
      if (!key.is_string() || key.as_string().empty()) {
        return Error::invalid_payload("unset_metadata_fields must list non-empty keys");
      }
      in.unset_metadata_fields.emplace_back(key.as_string());
    }
  }
  // PROMOTION campaigns may bring their tiers along: `promotion.tiers[]`.
  if (const json::value* promotion = body.if_contains("promotion");
      promotion && promotion->is_object()) {
    const json::value* list = promotion->as_object().if_contains("tiers");
    if (list && !list->is_null() && !list->is_array()) {
      return Error::invalid_payload("promotion.tiers must be an array");
    }
    if (list && list->is_array()) {
      for (const auto& tier : list->as_array()) {
        if (!tier.is_object()) return Error::invalid_payload("promotion.tiers holds tier objects");
        OP_ASSIGN(auto t, read_tier_input(tier.as_object()));
        in.tiers.push_back(std::move(t));
      }
    }
  }
  return in;
}

Result<VoucherInput> read_voucher_input(const json::object& body) {
  VoucherInput in;
  OP_ASSIGN(in.code, read_string(body, "code"));
  OP_ASSIGN(in.type, read_string(body, "type"));
  OP_ASSIGN(in.campaign, read_string(body, "campaign_id"));
  if (!in.campaign) {
    OP_ASSIGN(in.campaign, read_string(body, "campaign"));
  }
  OP_ASSIGN(in.category_id, read_string(body, "category_id"));
  OP_ASSIGN(in.category, read_string(body, "category"));
  OP_ASSIGN(in.additional_info, read_string(body, "additional_info"));
  OP_ASSIGN(in.start_date, read_date(body, "start_date"));
  OP_ASSIGN(in.expiration_date, read_date(body, "expiration_date"));
  OP_ASSIGN(in.active, read_bool(body, "active"));
  if (const json::value* r = body.if_contains("redemption"); r && !r->is_null()) {
    if (!r->is_object()) return Error::invalid_payload("redemption must be an object");
    if (r->as_object().contains("quantity")) {
      OP_ASSIGN(auto q, read_integer(r->as_object(), "quantity"));
      in.redemption_quantity = q;
    }
  }
  in.discount = read_any(body, "discount");
  in.gift = read_any(body, "gift");
  in.loyalty_card = read_any(body, "loyalty_card");
  in.code_config = read_any(body, "code_config");
  in.metadata = read_any(body, "metadata");
  in.validity_timeframe = read_any(body, "validity_timeframe");
  in.validity_day_of_week = read_any(body, "validity_day_of_week");
  in.validity_hours = read_any(body, "validity_hours");
  OP_ASSIGN(in.validation_rules, read_rule_ids(body));
  return in;
}

json::object campaign_json(const CampaignDetails& details) {
  const Campaign& c = details.campaign;
  const std::optional<Category>& category = details.category;
  json::object out;
  out["id"] = c.id;
  out["name"] = c.name;
  if (c.description) out["description"] = *c.description;
  out["campaign_type"] = to_string(c.campaign_type);
  out["type"] = to_string(c.mode);
  if (c.campaign_type != CampaignType::kPromotion) {
    out["voucher"] = from_definition(c.definition, "voucher");
  }
  out["auto_join"] = c.auto_join;
  out["join_once"] = c.join_once;
  out["use_voucher_metadata_schema"] = c.use_voucher_metadata_schema;
  // Left out when not set, as the reference does (its clients test for absence).
  if (c.start_date) out["start_date"] = format_iso8601(*c.start_date);
  if (c.expiration_date) out["expiration_date"] = format_iso8601(*c.expiration_date);
  for (const char* key : {"validity_timeframe", "validity_day_of_week", "validity_hours",
                          "activity_duration_after_publishing", "referral_program"}) {
    if (c.definition.contains(key)) out[key] = c.definition.at(key);
  }
  out["vouchers_count"] = c.vouchers_count;
  out["active"] = c.active;
  out["metadata"] =
      c.definition.contains("metadata") ? c.definition.at("metadata") : json::value(json::object{});
  out["created_at"] = format_iso8601(c.created_at);
  if (c.updated_at) out["updated_at"] = format_iso8601(*c.updated_at);
  // Left out without a category, as the contract's example does (category_id stays, null).
  if (category) out["category"] = category->name;
  out["creation_status"] = c.creation_status;
  out["vouchers_generation_status"] = c.vouchers_generation_status;
  out["protected"] = c.is_protected;
  out["validation_rules_assignments"] = assignments_list_json(details.assignments);
  if (details.with_access) {
    json::array data;
    for (const StoredAssignment& a : c.assignments) {
      json::object o;
      o["id"] = a.id;
      o["area_id"] = a.at.area_id;
      o["all_stores"] = a.at.all_stores;
      if (!a.at.area_store_id.empty()) o["area_store_id"] = a.at.area_store_id;
      o["created_at"] = format_iso8601(a.created_at);
      o["object"] = "area_store_campaign_assignment";
      data.push_back(std::move(o));
    }
    json::object list{{"object", "list"}, {"data_ref", "data"}};
    list["total"] = static_cast<int64_t>(data.size());
    list["data"] = std::move(data);
    out["access_settings_assignments"] = std::move(list);
  }
  // Only for restricted keys (spec 14.2): true when the key may see but not edit the campaign.
  if (c.readonly) out["readonly"] = *c.readonly;
  out["category_id"] = c.category_id ? json::value(*c.category_id) : json::value(nullptr);
  out["categories"] = category_list(category);
  if (c.campaign_type == CampaignType::kPromotion) {
    json::object promotion;
    promotion["object"] = "list";
    promotion["data_ref"] = "tiers";
    json::array list;
    for (const auto& t : details.tiers) list.push_back(tier_json(t, c));
    promotion["total"] = static_cast<int64_t>(list.size());
    promotion["tiers"] = std::move(list);
    promotion["has_more"] = false;
    out["promotion"] = std::move(promotion);
  }
  out["object"] = "campaign";
  return out;
}

json::object voucher_json(const VoucherView& view) {
  const Voucher& v = view.voucher;
  const JsonObject& d = view.definition;
  json::object out;
  out["id"] = v.id;
  out["code"] = v.code;
  out["campaign"] = view.campaign ? json::value(view.campaign->name) : json::value(nullptr);
  out["campaign_id"] = v.campaign_id ? json::value(*v.campaign_id) : json::value(nullptr);
  out["category"] = view.category ? json::value(view.category->name) : json::value(nullptr);
  out["category_id"] = v.category_id ? json::value(*v.category_id) : json::value(nullptr);
  out["categories"] = category_list(view.category);
  out["type"] = to_string(v.type);
  out["discount"] =
      v.type == VoucherType::kDiscount ? from_definition(d, "discount") : json::value(nullptr);
  if (v.type == VoucherType::kGift) {
    json::object gift;
    gift["amount"] = v.gift_amount.value_or(0);
    gift["balance"] = v.gift_balance.value_or(0);
    const json::value* g = d.if_contains("gift");
    gift["effect"] = g && g->is_object() && g->as_object().contains("effect")
                         ? g->as_object().at("effect")
                         : json::value("APPLY_TO_ORDER");
    out["gift"] = std::move(gift);
  } else {
    out["gift"] = nullptr;
  }
  if (v.type == VoucherType::kLoyaltyCard) {
    json::object card;
    card["points"] = v.loyalty_points.value_or(0);
    card["balance"] = v.loyalty_balance.value_or(0);
    out["loyalty_card"] = std::move(card);
  } else {
    out["loyalty_card"] = nullptr;
  }
  out["start_date"] = time_or_null(v.start_date);
  out["expiration_date"] = time_or_null(v.expiration_date);
  out["validity_timeframe"] = from_definition(d, "validity_timeframe");
  out["validity_day_of_week"] = from_definition(d, "validity_day_of_week");
  if (d.contains("validity_hours")) out["validity_hours"] = d.at("validity_hours");
  out["active"] = v.active;
  out["additional_info"] = from_definition(d, "additional_info");
  out["metadata"] = d.contains("metadata") ? d.at("metadata") : json::value(json::object{});
  out["is_referral_code"] = v.is_referral_code;
  out["created_at"] = format_iso8601(v.created_at);
  out["updated_at"] = time_or_null(v.updated_at);
  if (v.holder_id) out["holder_id"] = *v.holder_id;
  out["validation_rules_assignments"] = assignments_list_json(view.assignments);
  json::object redemption;
  redemption["quantity"] =
      v.redemption_quantity ? json::value(*v.redemption_quantity) : json::value(nullptr);
  redemption["redeemed_quantity"] = v.redeemed_quantity;
  if (v.type == VoucherType::kGift) {
    redemption["redeemed_amount"] = v.gift_amount.value_or(0) - v.gift_balance.value_or(0);
  }
  if (v.type == VoucherType::kLoyaltyCard) {
    redemption["redeemed_points"] = v.loyalty_points.value_or(0) - v.loyalty_balance.value_or(0);
  }
  redemption["object"] = "list";
  redemption["url"] = "/v1/vouchers/" + v.code + "/redemptions?page=1&limit=10";
  out["redemption"] = std::move(redemption);
  json::object publish;
  publish["object"] = "list";
  publish["count"] = v.publish_count;
  publish["url"] = "/v1/vouchers/" + v.code + "/publications?page=1&limit=10";
  out["publish"] = std::move(publish);
  out["object"] = "voucher";
  return out;
}

Result<TierInput> read_tier_input(const json::object& body) {
  TierInput in;
  OP_ASSIGN(in.name, read_string(body, "name"));
  OP_ASSIGN(in.banner, read_string(body, "banner"));
  OP_ASSIGN(in.category_id, read_string(body, "category_id"));
  OP_ASSIGN(in.active, read_bool(body, "active"));
  OP_ASSIGN(in.hierarchy, read_integer(body, "hierarchy"));
  OP_ASSIGN(in.start_date, read_date(body, "start_date"));
  OP_ASSIGN(in.expiration_date, read_date(body, "expiration_date"));
  in.action = read_any(body, "action");
  in.metadata = read_any(body, "metadata");
  in.validity_timeframe = read_any(body, "validity_timeframe");
  in.validity_day_of_week = read_any(body, "validity_day_of_week");
  in.validity_hours = read_any(body, "validity_hours");
  OP_ASSIGN(in.validation_rules, read_rule_ids(body));
  return in;
}

Result<StackInput> read_stack_input(const json::object& body) {
  StackInput in;
  OP_ASSIGN(in.name, read_string(body, "name"));
  OP_ASSIGN(in.category_id, read_string(body, "category_id"));
  if (const json::value* tiers = body.if_contains("tiers"); tiers && !tiers->is_null()) {
    if (!tiers->is_object()) return Error::invalid_payload("tiers must be an object");
    OP_ASSIGN(in.hierarchy_mode, read_string(tiers->as_object(), "hierarchy_mode"));
    if (const json::value* ids = tiers->as_object().if_contains("ids")) {
      if (!ids->is_array()) return Error::invalid_payload("tiers.ids must be an array");
      std::vector<std::string> list;
      for (const auto& id : ids->as_array()) {
        if (!id.is_string()) return Error::invalid_payload("tiers.ids holds tier ids");
        list.emplace_back(id.as_string());
      }
      in.tier_ids = std::move(list);
    }
  }
  return in;
}

json::object tier_json(const PromotionTier& t, const std::optional<Campaign>& campaign,
                       const UsageCounter* usage) {
  json::object out;
  out["id"] = t.id;
  out["created_at"] = format_iso8601(t.created_at);
  if (t.updated_at) out["updated_at"] = format_iso8601(*t.updated_at);
  out["name"] = t.name;
  out["banner"] = t.banner ? json::value(*t.banner) : json::value(nullptr);
  out["action"] = from_definition(t.definition, "action");
  out["metadata"] =
      t.definition.contains("metadata") ? t.definition.at("metadata") : json::value(json::object{});
  out["hierarchy"] = t.hierarchy;
  out["promotion_id"] = t.campaign_id;
  if (campaign) {
    json::object c;
    c["id"] = campaign->id;
    c["start_date"] = time_or_null(campaign->start_date);
    c["expiration_date"] = time_or_null(campaign->expiration_date);
    c["active"] = campaign->active;
    c["category_id"] =
        campaign->category_id ? json::value(*campaign->category_id) : json::value(nullptr);
    c["object"] = "campaign";
    out["campaign"] = std::move(c);
  }
  out["campaign_id"] = t.campaign_id;
  out["active"] = t.active;
  if (t.start_date) out["start_date"] = format_iso8601(*t.start_date);
  if (t.expiration_date) out["expiration_date"] = format_iso8601(*t.expiration_date);
  for (const char* key : {"validity_timeframe", "validity_day_of_week", "validity_hours"}) {
    if (t.definition.contains(key)) out[key] = t.definition.at(key);
  }
  out["category_id"] = t.category_id ? json::value(*t.category_id) : json::value(nullptr);
  json::object summary;
  summary["redemptions"] = json::object{{"total_redeemed", usage ? usage->count : 0}};
  summary["orders"] = json::object{{"total_amount", usage ? usage->order_amount : 0},
                                   {"total_discount_amount", usage ? usage->discount_amount : 0}};
  out["summary"] = std::move(summary);
  out["object"] = "promotion_tier";
  out["validation_rule_assignments"] = empty_assignments();
  return out;
}

json::object tier_details_json(const TierDetails& t) {
  json::object out = tier_json(t.tier, t.campaign, &t.usage);
  out["validation_rule_assignments"] = assignments_list_json(t.assignments);
  return out;
}

json::object campaign_summary_json(const CampaignSummary& s) {
  json::object out;
  out["object"] = "campaign_summary";
  out["campaign"] = campaign_json(s.campaign);
  // Redemptions and rollbacks are counted from their records (children and single redemptions,
  // the redeemables of the campaign); voucher counters from the vouchers; validations from the
  // per-day counts (each validated redeemable of the campaign; succeeded when it applied).
  // Publications are not counted yet: zero.
  const CampaignRedemptionSummary& r = s.redemptions;
  out["redemptions"] = r.redemptions_succeeded + r.redemptions_failed;
  out["redemptions_succeeded"] = r.redemptions_succeeded;
  out["redemptions_failed"] = r.redemptions_failed;
  out["rollbacks"] = r.rollbacks_succeeded + r.rollbacks_failed;
  out["rollbacks_succeeded"] = r.rollbacks_succeeded;
  out["rollbacks_failed"] = r.rollbacks_failed;
  out["validations"] = s.validations.validations;
  out["validations_succeeded"] = s.validations.succeeded;
  out["validations_failed"] = s.validations.failed;
  out["vouchers_created"] = s.vouchers.created;
  out["vouchers_deleted"] = s.vouchers.deleted;
  for (const char* zero : {"publications", "publications_succeeded", "publications_failed"}) {
    out[zero] = 0;
  }
  out["discounted_amount"] = r.discounted_amount;
  out["rolledback_discounted_amount"] = r.rolledback_discounted_amount;
  out["orders_amount"] = r.orders_amount;
  out["orders_rolledback_amount"] = r.orders_rolledback_amount;
  return out;
}

json::object stack_json(const PromotionStack& s) {
  json::object out;
  out["id"] = s.id;
  out["name"] = s.name;
  out["created_at"] = format_iso8601(s.created_at);
  if (s.updated_at) out["updated_at"] = format_iso8601(*s.updated_at);
  out["campaign_id"] = s.campaign_id;
  if (s.category_id) out["category_id"] = *s.category_id;
  out["object"] = "promotion_stack";
  json::object tiers;
  json::array ids;
  for (const auto& id : s.tier_ids) ids.emplace_back(id);
  tiers["ids"] = std::move(ids);
  tiers["hierarchy_mode"] = s.hierarchy_mode;
  out["tiers"] = std::move(tiers);
  return out;
}

json::object async_action_json(const AsyncAction& a) {
  json::object out;
  out["id"] = a.id;
  out["type"] = a.type;
  out["status"] = a.status;
  if (a.operation_status) out["operation_status"] = *a.operation_status;
  json::object result = a.result;
  result.erase("processing_time");
  out["result"] = result.empty() && a.status != "DONE" && a.status != "FAILED"
                      ? json::value(nullptr)
                      : json::value(std::move(result));
  out["created_at"] = format_iso8601(a.created_at);
  out["updated_at"] = time_or_null(a.updated_at);
  out["request_id"] = a.request_id;
  out["progress"] = a.progress;
  if (const json::value* t = a.result.if_contains("processing_time")) out["processing_time"] = *t;
  out["object"] = "async_action";
  return out;
}

json::object balance_json(const VoucherView& v, int64_t amount) {
  json::object out;
  out["amount"] = amount;
  out["total"] = v.voucher.gift_amount.value_or(0);
  out["balance"] = v.voucher.gift_balance.value_or(0);
  out["type"] = "gift_voucher";
  out["operation_type"] = "MANUAL";
  out["object"] = "balance";
  json::object related;
  related["type"] = "voucher";
  related["id"] = v.voucher.id;
  out["related_object"] = std::move(related);
  return out;
}

}  // namespace openpromo::api

namespace openpromo::api {

boost::json::object voucher_transaction_json(const VoucherTransaction& t) {
  namespace json = boost::json;
  json::object balance;
  balance["type"] = "gift_voucher";
  balance["total"] = t.total_after;
  balance["amount"] = t.amount;
  balance["object"] = "balance";
  balance["balance"] = t.balance_after;
  balance["related_object"] = json::object{{"id", t.voucher_id}, {"type", "voucher"}};
  json::object out;
  out["id"] = t.id;
  out["source_id"] = t.source_id ? json::value(*t.source_id) : json::value(nullptr);
  out["voucher_id"] = t.voucher_id;
  out["campaign_id"] = t.campaign_id ? json::value(*t.campaign_id) : json::value(nullptr);
  out["source"] = t.source ? json::value(*t.source) : json::value(nullptr);
  out["reason"] = t.reason ? json::value(*t.reason) : json::value(nullptr);
  out["type"] = t.type;
  json::object details{{"balance", std::move(balance)}};
  // Credits spent or refunded by a redemption name it (its id, or the rollback's).
  if (t.source_id && t.type == "CREDITS_REDEMPTION") {
    details["redemption"] = json::object{{"id", *t.source_id}};
  } else if (t.source_id && t.type == "CREDITS_REFUND") {
    details["rollback"] = json::object{{"id", *t.source_id}};
  }
  out["details"] = std::move(details);
  out["related_transaction_id"] =
      t.related_transaction_id ? json::value(*t.related_transaction_id) : json::value(nullptr);
  out["created_at"] = format_iso8601(t.created_at);
  return out;
}

json::object publication_json(const PublicationView& v) {
  const Publication& p = v.publication;
  json::object o;
  o["id"] = p.id;
  o["object"] = "publication";
  o["created_at"] = format_iso8601(p.created_at);
  o["customer_id"] = p.customer_id;
  o["tracking_id"] = v.customer.source_id ? json::value(*v.customer.source_id) : json::value();
  o["metadata"] = p.metadata;
  o["channel"] = p.channel;
  o["source_id"] = p.source_id ? json::value(*p.source_id) : json::value();
  o["result"] = p.result;
  json::object c;
  c["id"] = v.customer.id;
  c["name"] = v.customer.name ? json::value(*v.customer.name) : json::value();
  c["email"] = v.customer.email ? json::value(*v.customer.email) : json::value();
  c["source_id"] = v.customer.source_id ? json::value(*v.customer.source_id) : json::value();
  const auto* meta = v.customer.definition.if_contains("metadata");
  c["metadata"] = meta ? *meta : json::value(json::object{});
  c["object"] = "customer";
  o["customer"] = std::move(c);
  if (v.vouchers.size() == 1) {
    o["voucher"] = voucher_json(v.vouchers.front());
  } else {
    json::array vouchers;
    for (const VoucherView& voucher : v.vouchers) vouchers.push_back(voucher_json(voucher));
    o["vouchers"] = std::move(vouchers);
  }
  json::array ids;
  for (const std::string& id : p.voucher_ids) ids.emplace_back(id);
  o["vouchers_id"] = std::move(ids);
  return o;
}

}  // namespace openpromo::api
