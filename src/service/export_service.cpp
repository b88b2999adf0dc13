#include "service/export_service.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>

#include "core/crypto.h"
#include "service/customer_service.h"
#include "service/key_service.h"
#include "service/order_service.h"
#include "service/publication_service.h"
#include "service/redemption_service.h"
#include "service/voucher_service.h"
#include "service/wire.h"
#include "store/async_action_repository.h"
#include "store/customer_repository.h"
#include "store/export_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {
namespace {

// ---- what each object exports -------------------------------------------------------------------

// A column: the export field and where its value is in the object's API document ("a.b" path),
// or, starting with '@', a value computed from the document (see computed()).
struct Column {
  std::string_view field;
  std::string_view path;
};

// Export filter names that differ from the list's (the reference's names on the left).
struct FilterAlias {
  std::string_view name, list_field;
};

struct ObjectSpec {
  std::string_view name;
  std::span<const Column> columns;
  std::span<const std::string_view> defaults;  // fields when the request names none
  std::span<const std::string_view> orders;    // order fields the contract lists
  std::span<const FilterAlias> aliases;
};

constexpr std::array<Column, 33> kVoucherColumns{{
    {"code", "code"},
    {"voucher_type", "type"},
    {"value", "@value"},
    {"formula", "@formula"},
    {"discount_type", "discount.type"},
    {"campaign", "campaign"},
    {"category", "category"},
    {"start_date", "start_date"},
    {"expiration_date", "expiration_date"},
    {"gift_balance", "gift.balance"},
    {"loyalty_balance", "loyalty_card.balance"},
    {"redemption_quantity", "redemption.quantity"},
    {"redemption_count", "redemption.redeemed_quantity"},
    {"active", "active"},
    {"qr_code", "assets.qr.url"},
    {"bar_code", "assets.barcode.url"},
    {"metadata", "metadata"},
    {"id", "id"},
    {"is_referral_code", "is_referral_code"},
    {"created_at", "created_at"},
    {"updated_at", "updated_at"},
    {"validity_timeframe_interval", "validity_timeframe.interval"},
    {"validity_timeframe_duration", "validity_timeframe.duration"},
    {"validity_day_of_week", "validity_day_of_week"},
    {"discount_amount_limit", "discount.amount_limit"},
    {"campaign_id", "campaign_id"},
    {"additional_info", "additional_info"},
    {"customer_id", "holder_id"},
    {"discount_effect", "@discount_effect"},
    {"discount_unit_type", "discount.unit_type"},
    {"discount_unit_effect", "@discount_unit_effect"},
    {"validation_rules_id", "@validation_rules_id"},
    {"customer_source_id", "@customer_source_id"},
}};
constexpr std::array<std::string_view, 4> kVoucherDefaults{"code", "voucher_type", "value",
                                                           "discount_type"};
constexpr std::array<std::string_view, 3> kVoucherOrders{"created_at", "updated_at", "code"};
constexpr std::array<FilterAlias, 4> kVoucherAliases{{{"categories", "category_id"},
                                                      {"vouchers", "id"},
                                                      {"voucher_type", "type"},
                                                      {"customer_id", "holder_id"}}};

constexpr std::array<Column, 18> kRedemptionColumns{{
    {"id", "id"},
    {"object", "object"},
    {"date", "date"},
    {"voucher_code", "voucher.code"},
    {"campaign", "@redeemed_campaign"},
    {"promotion_tier_id", "promotion_tier.id"},
    {"customer_id", "customer_id"},
    {"customer_source_id", "customer.source_id"},
    {"customer_name", "customer.name"},
    {"tracking_id", "tracking_id"},
    {"order_id", "order.id"},
    {"order_amount", "order.amount"},
    {"gift_amount", "gift.amount"},
    {"loyalty_points", "loyalty_card.points"},
    {"result", "result"},
    {"failure_code", "failure_code"},
    {"failure_message", "failure_message"},
    {"metadata", "metadata"},
}};
constexpr std::array<std::string_view, 6> kRedemptionDefaults{
    "id", "object", "voucher_code", "customer_id", "date", "result"};
constexpr std::array<std::string_view, 5> kRedemptionOrders{"id", "voucher_code", "tracking_id",
                                                            "customer_id", "created_at"};
constexpr std::array<FilterAlias, 2> kRedemptionAliases{
    {{"voucher_id", "related_object_id"}, {"promotion_tier_id", "related_object_id"}}};

constexpr std::array<Column, 9> kPublicationColumns{{
    {"voucher_code", "@published_codes"},
    {"code", "@published_codes"},  // the name the reference's defaults use
    {"customer_id", "customer_id"},
    {"customer_source_id", "customer.source_id"},
    {"date", "created_at"},
    {"channel", "channel"},
    {"campaign", "@published_campaign"},
    {"is_winner", "is_winner"},  // no lotteries here: always empty
    {"metadata", "metadata"},
}};
constexpr std::array<std::string_view, 4> kPublicationDefaults{"code", "customer_id", "date",
                                                               "channel"};
constexpr std::array<std::string_view, 6> kPublicationOrders{
    "id", "voucher_code", "tracking_id", "customer_id", "created_at", "channel"};

constexpr std::array<Column, 30> kCustomerColumns{{
    {"name", "name"},
    {"id", "id"},
    {"description", "description"},
    {"email", "email"},
    {"source_id", "source_id"},
    {"created_at", "created_at"},
    {"address_city", "address.city"},
    {"address_state", "address.state"},
    {"address_line_1", "address.line_1"},
    {"address_line_2", "address.line_2"},
    {"address_country", "address.country"},
    {"address_postal_code", "address.postal_code"},
    {"redemptions_total_redeemed", "summary.redemptions.total_redeemed"},
    {"redemptions_total_failed", "summary.redemptions.total_failed"},
    {"redemptions_total_succeeded", "summary.redemptions.total_succeeded"},
    {"redemptions_total_rolled_back", "summary.redemptions.total_rolled_back"},
    {"redemptions_total_rollback_failed", "summary.redemptions.total_rollback_failed"},
    {"redemptions_total_rollback_succeeded", "summary.redemptions.total_rollback_succeeded"},
    {"orders_total_amount", "summary.orders.total_amount"},
    {"orders_total_count", "summary.orders.total_count"},
    {"orders_average_amount", "summary.orders.average_amount"},
    {"orders_last_order_amount", "summary.orders.last_order_amount"},
    {"orders_last_order_date", "summary.orders.last_order_date"},
    {"loyalty_points", "loyalty.points"},
    {"loyalty_referred_customers", "loyalty.referred_customers"},
    {"updated_at", "updated_at"},
    {"phone", "phone"},
    {"birthday", "birthdate"},  // deprecated name of birthdate
    {"metadata", "metadata"},
    {"birthdate", "birthdate"},
}};
constexpr std::array<std::string_view, 2> kCustomerDefaults{"name", "source_id"};
constexpr std::array<std::string_view, 6> kCustomerOrders{"name",      "id",         "email",
                                                          "source_id", "created_at", "updated_at"};

constexpr std::array<Column, 13> kOrderColumns{{
    {"id", "id"},
    {"source_id", "source_id"},
    {"created_at", "created_at"},
    {"updated_at", "updated_at"},
    {"status", "status"},
    {"amount", "amount"},
    {"discount_amount", "discount_amount"},
    {"items_discount_amount", "items_discount_amount"},
    {"total_discount_amount", "total_discount_amount"},
    {"total_amount", "total_amount"},
    {"customer_id", "customer_id"},
    {"referrer_id", "referrer_id"},
    {"metadata", "metadata"},
}};
constexpr std::array<std::string_view, 3> kOrderDefaults{"id", "source_id", "status"};
constexpr std::array<std::string_view, 3> kOrderOrders{"created_at", "updated_at", "status"};

constexpr std::array<Column, 12> kTransactionColumns{{
    {"id", "id"},
    {"campaign_id", "campaign_id"},
    {"voucher_id", "voucher_id"},
    {"type", "type"},
    {"source_id", "source_id"},
    {"reason", "reason"},
    {"source", "source"},
    {"balance", "details.balance.balance"},
    {"amount", "details.balance.amount"},
    {"related_transaction_id", "related_transaction_id"},
    {"created_at", "created_at"},
    {"details", "details"},
}};
// The reference's defaults also name `status`, which no transaction field has.
constexpr std::array<std::string_view, 8> kTransactionDefaults{
    "id", "type", "source_id", "reason", "source", "balance", "amount", "created_at"};
constexpr std::array<std::string_view, 1> kTransactionOrders{"created_at"};

constexpr std::array<ObjectSpec, 6> kObjects{{
    {"voucher", kVoucherColumns, kVoucherDefaults, kVoucherOrders, kVoucherAliases},
    {"redemption", kRedemptionColumns, kRedemptionDefaults, kRedemptionOrders, kRedemptionAliases},
    {"publication", kPublicationColumns, kPublicationDefaults, kPublicationOrders, {}},
    {"customer", kCustomerColumns, kCustomerDefaults, kCustomerOrders, {}},
    {"order", kOrderColumns, kOrderDefaults, kOrderOrders, {}},
    {"voucher_transactions", kTransactionColumns, kTransactionDefaults, kTransactionOrders, {}},
}};

const ObjectSpec* spec_of(std::string_view name) {
  for (const ObjectSpec& s : kObjects) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const Column* column_of(const ObjectSpec& spec, std::string_view field) {
  for (const Column& c : spec.columns) {
    if (c.field == field) return &c;
  }
  return nullptr;
}

std::string allowed_fields(const ObjectSpec& spec) {
  std::string out;
  for (const Column& c : spec.columns) out += (out.empty() ? "" : ", ") + std::string(c.field);
  return out + ", metadata.<key>";
}

// ---- the request, decided once ------------------------------------------------------------------

struct Plan {
  const ObjectSpec* spec = nullptr;
  std::vector<std::string> fields;  // as requested (metadata.<key> included)
  ListQuery query;                  // order, filters; limit and cursor set per page
  bool needs_holder_source_ids = false;
};

Error invalid_fields(const ObjectSpec& spec, std::string_view detail) {
  return Error{400,
               "invalid_export_fields",
               "Invalid export fields",
               std::string(detail) + "; allowed fields for " + std::string(spec.name) +
                   " exports: " + allowed_fields(spec),
               {},
               "export"};
}

std::string scalar_text(const Json& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  return to_json_text(v);
}

// `{field: {conditions: {$op: value | [values]}}, junction: and|or}` into list conditions.
Result<std::vector<FilterCondition>> read_filters(const ObjectSpec& spec, const Json& filters,
                                                  bool& junction_or) {
  std::vector<FilterCondition> out;
  if (filters.is_null()) return out;
  if (!filters.is_object()) return Error::invalid_payload("parameters.filters must be an object");
  for (const auto& [key, value] : filters.as_object()) {
    if (key == "junction") {
      if (!value.is_string() || (value.as_string() != "and" && value.as_string() != "AND" &&
                                 value.as_string() != "or" && value.as_string() != "OR")) {
        return Error::invalid_payload("parameters.filters.junction must be \"and\" or \"or\"");
      }
      junction_or = value.as_string() == "or" || value.as_string() == "OR";
      continue;
    }
    std::string field(key);
    for (const FilterAlias& a : spec.aliases) {
      if (a.name == field) field = std::string(a.list_field);
    }
    const Json* conditions =
        value.is_object() ? value.as_object().if_contains("conditions") : nullptr;
    if (!conditions || !conditions->is_object()) {
      return Error::invalid_payload("parameters.filters." + std::string(key) +
                                    " must be {\"conditions\": {\"$operator\": value}}");
    }
    for (const auto& [op_name, operand] : conditions->as_object()) {
      std::optional<FilterOp> op = filter_op_from_string(op_name);
      // Dates in the reference's filters also use $after / $before.
      if (!op && op_name == "$after") op = FilterOp::kMoreThan;
      if (!op && op_name == "$before") op = FilterOp::kLessThan;
      if (!op) {
        return Error::invalid_payload("parameters.filters." + std::string(key) +
                                      ": unknown operator '" + std::string(op_name) + "'");
      }
      FilterCondition c{field, *op, {}};
      if (operand.is_array()) {
        for (const Json& v : operand.as_array()) c.values.push_back(scalar_text(v));
      } else if (!operand.is_null()) {
        c.values.push_back(scalar_text(operand));
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

Result<Plan> plan_of(std::string_view object, const JsonObject& parameters) {
  Plan plan;
  plan.spec = spec_of(object);
  if (!plan.spec) {
    if (object == "points_expiration") {
      return Error{400,
                   "invalid_export",
                   "Invalid export",
                   "points_expiration exports need loyalty point expiration, which this server "
                   "does not have yet",
                   {},
                   "export"};
    }
    return Error::invalid_payload(
        "exported_object must be one of voucher, redemption, publication, customer, order, "
        "voucher_transactions");
  }
  const ObjectSpec& spec = *plan.spec;
  if (const Json* f = parameters.if_contains("fields"); f && !f->is_null()) {
    if (!f->is_array()) return invalid_fields(spec, "parameters.fields must be an array");
    for (const Json& v : f->as_array()) {
      if (!v.is_string()) return invalid_fields(spec, "every field must be a string");
      const std::string_view name = v.as_string();
      const bool metadata_key = name.starts_with("metadata.") && name.size() > 9;
      if (!metadata_key && !column_of(spec, name)) {
        return invalid_fields(spec, "'" + std::string(name) + "' cannot be exported");
      }
      plan.fields.emplace_back(name);
    }
  }
  if (plan.fields.empty()) {
    for (std::string_view d : spec.defaults) plan.fields.emplace_back(d);
  }
  for (const std::string& f : plan.fields) {
    if (f == "customer_source_id" && spec.name == "voucher") plan.needs_holder_source_ids = true;
  }

  plan.query.order_field = "created_at";
  plan.query.descending = true;
  if (const Json* o = parameters.if_contains("order"); o && !o->is_null()) {
    if (!o->is_string()) return Error::invalid_payload("parameters.order must be a string");
    std::string_view order = o->as_string();
    if (!order.empty()) {
      const bool descending = order.front() == '-';
      if (descending) order.remove_prefix(1);
      bool listed = false;
      for (std::string_view allowed : spec.orders) listed = listed || allowed == order;
      if (!listed) {
        std::string names;
        for (std::string_view allowed : spec.orders) {
          names += (names.empty() ? "" : ", ") + std::string(allowed);
        }
        return Error::invalid_payload("parameters.order: " + std::string(spec.name) +
                                      " exports order by " + names + " (\"-\" for descending)");
      }
      plan.query.order_field = std::string(order);
      plan.query.descending = descending;
    }
  }
  const Json* filters = parameters.if_contains("filters");
  OP_ASSIGN(plan.query.filters,
            read_filters(spec, filters ? *filters : Json(nullptr), plan.query.filters_or));
  if (const Json* c = parameters.if_contains("campaign_id"); c && !c->is_null()) {
    if (!c->is_string() || c->as_string().empty()) {
      return Error::invalid_payload("parameters.campaign_id must be a campaign id");
    }
    if (spec.name != "voucher") {
      return Error::invalid_payload("parameters.campaign_id is for voucher exports");
    }
    plan.query.required.push_back(
        FilterCondition{"campaign_id", FilterOp::kIs, {std::string(c->as_string())}});
  }
  return plan;
}

// ---- reading the objects ------------------------------------------------------------------------

struct Batch {
  std::vector<Json> documents;
  std::string last_id;
  bool has_more = false;
  int64_t total = 0;
};

const Json* at_path(const Json& doc, std::string_view path) {
  const Json* cur = &doc;
  while (!path.empty()) {
    if (!cur->is_object()) return nullptr;
    const size_t dot = path.find('.');
    const std::string_view key = path.substr(0, dot);
    cur = cur->as_object().if_contains(key);
    if (!cur) return nullptr;
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return cur;
}

std::string text_at(const Json& doc, std::string_view path) {
  const Json* v = at_path(doc, path);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Values that are not a single field of the document.
Json computed(std::string_view what, const Json& doc,
              const std::map<std::string, std::string>& holder_source_ids) {
  const std::string discount_type = text_at(doc, "discount.type");
  if (what == "@value") {
    const std::string type = text_at(doc, "type");
    if (type == "GIFT_VOUCHER")
      return at_path(doc, "gift.balance") ? *at_path(doc, "gift.balance") : Json();
    if (type == "LOYALTY_CARD") {
      const Json* b = at_path(doc, "loyalty_card.balance");
      return b ? *b : Json();
    }
    const char* field = discount_type == "AMOUNT"    ? "discount.amount_off"
                        : discount_type == "PERCENT" ? "discount.percent_off"
                        : discount_type == "UNIT"    ? "discount.unit_off"
                        : discount_type == "FIXED"   ? "discount.fixed_amount"
                                                     : nullptr;
    const Json* v = field ? at_path(doc, field) : nullptr;
    return v ? *v : Json();
  }
  if (what == "@formula") {
    for (const char* f : {"discount.amount_off_formula", "discount.percent_off_formula",
                          "discount.unit_off_formula", "discount.fixed_amount_formula"}) {
      if (const Json* v = at_path(doc, f); v && v->is_string()) return *v;
    }
    return Json();
  }
  if (what == "@discount_effect" || what == "@discount_unit_effect") {
    const bool unit = discount_type == "UNIT";
    if (unit != (what == "@discount_unit_effect")) return Json();
    const Json* v = at_path(doc, "discount.effect");
    return v ? *v : Json();
  }
  if (what == "@validation_rules_id") {
    JsonArray ids;
    if (const Json* data = at_path(doc, "validation_rules_assignments.data");
        data && data->is_array()) {
      for (const Json& a : data->as_array()) {
        if (const Json* id = at_path(a, "rule_id")) ids.push_back(*id);
      }
    }
    return ids.empty() ? Json() : Json(std::move(ids));
  }
  if (what == "@customer_source_id") {
    const auto it = holder_source_ids.find(text_at(doc, "holder_id"));
    return it == holder_source_ids.end() ? Json() : Json(it->second);
  }
  if (what == "@redeemed_campaign") {
    if (const Json* c = at_path(doc, "voucher.campaign"); c && c->is_string()) return *c;
    if (const Json* c = at_path(doc, "promotion_tier.campaign.name"); c && c->is_string()) {
      return *c;
    }
    return Json();
  }
  if (what == "@published_codes" || what == "@published_campaign") {
    const char* field = what == "@published_codes" ? "code" : "campaign";
    if (const Json* v = at_path(doc, "voucher"); v && v->is_object()) {
      const Json* f = at_path(*v, field);
      return f ? *f : Json();
    }
    JsonArray values;
    if (const Json* vs = at_path(doc, "vouchers"); vs && vs->is_array()) {
      for (const Json& v : vs->as_array()) {
        const Json* f = at_path(v, field);
        if (f && f->is_string() &&
            (what == "@published_codes" || values.empty() || values.back() != *f)) {
          values.push_back(*f);
        }
      }
    }
    return values.empty() ? Json() : Json(std::move(values));
  }
  return Json();
}

template <class T, class ToDoc>
Batch batch_of(Page<T>&& page, ToDoc to_doc) {
  Batch b;
  b.has_more = page.has_more;
  b.total = page.total;
  b.documents.reserve(page.items.size());
  for (const T& item : page.items) b.documents.push_back(to_doc(item));
  if (!b.documents.empty()) b.last_id = text_at(b.documents.back(), "id");
  return b;
}

// ---- CSV (RFC 4180) -----------------------------------------------------------------------------

void append_field(std::string& line, std::string_view text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) {
    line += text;
    return;
  }
  line += '"';
  for (char c : text) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

void append_cell(std::string& line, const Json* v) {
  if (!v || v->is_null()) return;
  if (v->is_string()) return append_field(line, v->as_string());
  if (v->is_bool()) return append_field(line, v->as_bool() ? "true" : "false");
  if (v->is_array()) {
    bool scalars = true;
    for (const Json& e : v->as_array()) scalars = scalars && !e.is_object() && !e.is_array();
    if (scalars) {
      std::string joined;
      for (const Json& e : v->as_array()) {
        if (!joined.empty()) joined += ',';
        joined += scalar_text(e);
      }
      return append_field(line, joined);
    }
  }
  append_field(line, to_json_text(*v));
}

// "voucher_type" -> "Voucher Type", "id" -> "ID" (the reference's header style); metadata
// columns keep their name ("metadata.region") so they cannot clash with a field's header.
std::string header_of(std::string_view field) {
  if (field.starts_with("metadata.")) return std::string(field);
  std::string out;
  size_t start = 0;
  while (start <= field.size()) {
    size_t end = field.find('_', start);
    if (end == std::string_view::npos) end = field.size();
    std::string word(field.substr(start, end - start));
    if (!out.empty()) out += ' ';
    if (word == "id" || word == "qr") {
      for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
    }
    out += word;
    start = end + 1;
  }
  return out;
}

Json export_state_payload(const Export& e) {
  return JsonObject{{"export_id", e.id}};
}

}  // namespace

// ---- the use cases ------------------------------------------------------------------------------

std::string ExportService::url_of(const Export& e) {
  return e.base_url + "/v1/exports/" + e.id + "?token=" + e.token;
}

std::string ExportService::path_of(const Export& e) const {
  return (std::filesystem::path(directory_) / e.project_id / (e.id + ".csv")).string();
}

Result<Export> ExportService::create(const Principal& who, ExportRequest request) {
  // Exports run later as a background job of the project, outside the caller's scope: a
  // restricted key would get rows of every campaign, so it may not start one (fail closed).
  if (who.role == Role::kRestricted) {
    return missing_permission("A restricted key may not export: exports span every campaign");
  }
  OP_ASSIGN(Plan plan, plan_of(request.exported_object, request.parameters));
  // Filters and order are checked where they are applied: one row read now refuses a field the
  // list cannot filter or order by before anything is queued.
  Status probed = [&]() -> Status {
    ListQuery probe = plan.query;
    probe.limit = 1;
    probe.count_total = false;
    const Scope scope = who.scope();
    if (plan.spec->name == "voucher") {
      auto p = sources_.vouchers.list(who, probe);
      if (!p.ok()) return p.error();
    } else if (plan.spec->name == "customer") {
      auto p = sources_.customers.list(who, probe);
      if (!p.ok()) return p.error();
    } else if (plan.spec->name == "order") {
      auto p = sources_.orders.list(who, probe);
      if (!p.ok()) return p.error();
    } else if (plan.spec->name == "redemption") {
      auto p = sources_.redemptions.list(who, RedemptionFilter{}, probe);
      if (!p.ok()) return p.error();
    } else if (plan.spec->name == "publication") {
      auto p = sources_.publications.list(who, PublicationFilter{}, probe);
      if (!p.ok()) return p.error();
    } else {
      auto p = store_.in_snapshot(
          [&](UnitOfWork& tx) { return VoucherRepository(tx).all_transactions(scope, probe); });
      if (!p.ok()) return p.error();
    }
    return {};
  }();
  if (!probed.ok()) {
    // The list's words ("query params") would point at the URL; these came in the body.
    if (probed.error().key == "invalid_query_params") {
      return Error::invalid_payload("parameters: " + probed.error().details);
    }
    return probed.error();
  }
  Export e;
  e.id = new_id("exp_");
  e.project_id = who.project_id;
  e.exported_object = request.exported_object;
  JsonArray fields;
  for (const std::string& f : plan.fields) fields.emplace_back(f);
  e.parameters = request.parameters;
  e.parameters["fields"] = std::move(fields);
  if (!e.parameters.contains("order")) {
    e.parameters["order"] =
        plan.query.descending ? "-" + plan.query.order_field : plan.query.order_field;
  }
  if (!e.parameters.contains("filters")) e.parameters["filters"] = JsonObject{{"junction", "and"}};
  e.token = new_uuid();
  e.base_url = std::move(request.base_url);
  e.created_at = now_utc();

  AsyncAction action;
  action.id = new_id("aa_");
  action.project_id = who.project_id;
  action.type = std::string(kExportJob);
  action.request_id = who.request_id;
  action.created_at = e.created_at;
  action.payload = export_state_payload(e).as_object();
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_TRY(ExportRepository(tx).insert(who.scope(), e));
    OP_TRY(AsyncActionRepository(tx).insert(who.scope(), action));
    if (wake_jobs_) tx.after_commit(wake_jobs_);
    return {};
  }));
  return e;
}

Result<Export> ExportService::get(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto found, store_.in_snapshot([&](UnitOfWork& tx) {
    return ExportRepository(tx).find(who.scope(), id);
  }));
  if (!found) return Error::not_found("export", std::string(id));
  return std::move(*found);
}

Result<Page<Export>> ExportService::list(const Principal& who, const ListQuery& query) {
  return store_.in_snapshot(
      [&](UnitOfWork& tx) { return ExportRepository(tx).list(who.scope(), query); });
}

Status ExportService::remove(const Principal& who, std::string_view id) {
  OP_ASSIGN(Export e, get(who, id));
  OP_ASSIGN(bool removed, store_.in_write([&](UnitOfWork& tx) {
    return ExportRepository(tx).remove(who.scope(), id);
  }));
  if (!removed) return Error::not_found("export", std::string(id));
  // A job still writing it sees the export gone when it finishes and removes its own file.
  std::error_code ignored;
  std::filesystem::remove(path_of(e), ignored);
  std::filesystem::remove(path_of(e) + ".part", ignored);
  return {};
}

Result<ExportFile> ExportService::download(const Principal& who, std::string_view id,
                                           std::string_view token) {
  OP_ASSIGN(auto found, store_.in_snapshot([&](UnitOfWork& tx) {
    return ExportRepository(tx).find(who.scope(), id);
  }));
  if (!found || !constant_time_equals(found->token, token)) {
    return Error::not_found("export", std::string(id));
  }
  if (found->status != "DONE") {
    return Error{400,
                 "export_not_ready",
                 "Export not ready",
                 "export " + found->id + " is " + found->status + "; download it once DONE",
                 found->id,
                 "export"};
  }
  ExportFile f{path_of(*found), found->exported_object + "-" + found->id + ".csv"};
  std::error_code ec;
  if (!std::filesystem::is_regular_file(f.path, ec)) {
    return Error{404,
                 "export_file_missing",
                 "Export file missing",
                 "the file of export " + found->id +
                     " is not in this server's exports directory (exports directories must be "
                     "shared between nodes)",
                 found->id,
                 "export"};
  }
  return f;
}

Status ExportService::run(const Principal& who, AsyncAction& action,
                          const std::atomic<bool>& stopping,
                          const std::function<Status(AsyncAction&)>& checkpoint) {
  const Json* id = action.payload.if_contains("export_id");
  if (!id || !id->is_string()) return Error::internal("malformed export job payload");
  const Scope scope = who.scope();
  OP_ASSIGN(auto found, store_.in_snapshot([&](UnitOfWork& tx) {
    return ExportRepository(tx).find(scope, id->as_string());
  }));
  if (!found || found->status == "DONE" || found->status == "ERROR") return {};  // deleted, done
  Export e = std::move(*found);

  // Marks the export finished; false when it was deleted meanwhile (its files then go too).
  const std::string path = path_of(e);
  const std::string part = path + ".part";
  auto finish = [&](const std::string& status, std::optional<std::string> error) -> Result<bool> {
    e.status = status;
    e.error = std::move(error);
    e.updated_at = now_utc();
    Status saved =
        store_.in_write([&](UnitOfWork& tx) { return ExportRepository(tx).set_status(scope, e); });
    if (!saved.ok() && saved.error().code == 404) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
      std::filesystem::remove(part, ignored);
      return false;
    }
    if (!saved.ok()) return saved.error();
    return true;
  };

  Result<Plan> planned = plan_of(e.exported_object, e.parameters);
  if (!planned.ok()) {
    OP_TRY(finish("ERROR", planned.error().details));
    return planned.error();
  }
  Plan plan = std::move(planned).value();
  if (e.status != "IN_PROGRESS") {
    e.status = "IN_PROGRESS";
    e.updated_at = now_utc();
    OP_TRY(
        store_.in_write([&](UnitOfWork& tx) { return ExportRepository(tx).set_status(scope, e); }));
  }

  // Writes the file; an error other than "try again later" ends the export in ERROR.
  Status written = [&]() -> Status {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (ec || !out) {
      const std::string why = "cannot write " + part + (ec ? ": " + ec.message() : "");
      OP_TRY(finish("ERROR", why));
      return Error::internal(why);
    }
    std::string line;
    for (const std::string& f : plan.fields) {
      if (!line.empty()) line += ',';
      append_field(line, header_of(f));
    }
    line += "\r\n";
    out << line;

    // Columns resolved once: a path into the document, or a computed value.
    struct Resolved {
      std::string path;
      bool computed = false;
    };
    std::vector<Resolved> columns;
    for (const std::string& f : plan.fields) {
      if (f.starts_with("metadata.")) {
        columns.push_back({"metadata." + f.substr(9), false});
        continue;
      }
      const Column* c = column_of(*plan.spec, f);
      columns.push_back({std::string(c->path), c->path.starts_with('@')});
    }

    // SQLite keeps the pages a connection read in its cache (up to 256 MiB, sized for bulk code
    // generation): a walk over a million codes would fill it. Each page's reads give them back.
    const sql::ReleaseCachesOnThisThread bounded_cache;
    ListQuery q = plan.query;
    q.limit = kPageSize;
    // No COUNT, not even once for a progress bar: counting a million codes reads every row of
    // the table into SQLite's page cache (80 MB for 300,000 codes, measured), which is what
    // paging keeps out of memory. Progress is the number of rows written so far.
    q.count_total = false;
    int64_t rows = 0;
    for (int pages = 0;; ++pages) {
      Result<Batch> fetched = Error::internal("unreached");
      const std::string_view object = plan.spec->name;
      if (object == "voucher") {
        OP_ASSIGN(auto page, sources_.vouchers.list(who, q));
        fetched = batch_of(std::move(page),
                           [&](const VoucherView& v) { return wire_.voucher_document(v); });
      } else if (object == "customer") {
        OP_ASSIGN(auto page, sources_.customers.list(who, q));
        fetched = batch_of(std::move(page),
                           [&](const CustomerDetails& c) { return wire_.customer_document(c); });
      } else if (object == "order") {
        OP_ASSIGN(auto page, sources_.orders.list(who, q));
        fetched =
            batch_of(std::move(page), [&](const Order& o) { return wire_.order_document(o); });
      } else if (object == "redemption") {
        OP_ASSIGN(auto page, sources_.redemptions.list(who, RedemptionFilter{}, q));
        fetched = batch_of(std::move(page), [&](const RedemptionDetails& r) {
          return wire_.redemption_document(r);
        });
      } else if (object == "publication") {
        OP_ASSIGN(auto page, sources_.publications.list(who, PublicationFilter{}, q));
        fetched = batch_of(std::move(page),
                           [&](const PublicationView& p) { return wire_.publication_document(p); });
      } else {
        OP_ASSIGN(auto page, store_.in_snapshot([&](UnitOfWork& tx) {
          return VoucherRepository(tx).all_transactions(scope, q);
        }));
        fetched = batch_of(std::move(page), [&](const VoucherTransaction& t) {
          return wire_.transaction_document(t);
        });
      }
      Batch batch = std::move(fetched).value();

      std::map<std::string, std::string> holder_source_ids;
      if (plan.needs_holder_source_ids) {
        std::vector<std::string> holders;
        for (const Json& d : batch.documents) {
          if (std::string h = text_at(d, "holder_id"); !h.empty()) holders.push_back(std::move(h));
        }
        OP_ASSIGN(holder_source_ids, store_.in_snapshot([&](UnitOfWork& tx) {
          return CustomerRepository(tx).source_ids(scope, holders);
        }));
      }
      for (const Json& doc : batch.documents) {
        line.clear();
        for (size_t i = 0; i < columns.size(); ++i) {
          if (i) line += ',';
          if (columns[i].computed) {
            const Json v = computed(columns[i].path, doc, holder_source_ids);
            append_cell(line, &v);
          } else {
            append_cell(line, at_path(doc, columns[i].path));
          }
        }
        line += "\r\n";
        out << line;
      }
      rows += static_cast<int64_t>(batch.documents.size());
      if (!out) {
        OP_TRY(finish("ERROR", "writing " + part + " failed"));
        return Error::internal("writing " + part + " failed");
      }
      if (!batch.has_more || batch.last_id.empty()) break;
      q.starting_after_id = batch.last_id;
      if (stopping) {
        // Starts over next time: the file is rewritten from the beginning.
        action.status = "IN_PROGRESS";
        return {};
      }
      if (pages % 5 == 4) {
        action.status = "IN_PROGRESS";
        action.progress = 0;  // the total is not known (no COUNT); result.rows moves
        action.result["rows"] = rows;
        OP_TRY(checkpoint(action));
      }
    }
    out.close();
    if (!out) {
      OP_TRY(finish("ERROR", "writing " + part + " failed"));
      return Error::internal("writing " + part + " failed");
    }
    std::filesystem::rename(part, path, ec);
    if (ec) {
      OP_TRY(finish("ERROR", "cannot move " + part + " into place: " + ec.message()));
      return Error::internal("cannot move the export file into place: " + ec.message());
    }
    e.row_count = rows;
    OP_ASSIGN(bool kept, finish("DONE", std::nullopt));
    action.result["export_id"] = e.id;
    action.result["rows"] = rows;
    if (!kept) action.result["deleted"] = true;
    return {};
  }();
  if (!written.ok() && written.error().code != 503 && written.error().key != "lease_lost" &&
      e.status == "IN_PROGRESS") {
    (void)finish("ERROR", written.error().details.empty() ? written.error().message
                                                          : written.error().details);
  }
  return written;
}

}  // namespace openpromo
