#include "api/qualification_codec.h"

#include <array>

#include "api/validation_codec.h"
#include "engine/definitions.h"
#include "service/definitions.h"

namespace openpromo::api {
namespace {

Error bad(std::string details) {
  return Error::invalid_payload(std::move(details));
}

constexpr std::array<std::string_view, 8> kScenarios{"ALL",
                                                     "CUSTOMER_WALLET",
                                                     "AUDIENCE_ONLY",
                                                     "PRODUCTS",
                                                     "PRODUCTS_DISCOUNT",
                                                     "PROMOTION_STACKS",
                                                     "PRODUCTS_BY_CUSTOMER",
                                                     "PRODUCTS_DISCOUNT_BY_CUSTOMER"};
constexpr std::array<std::string_view, 8> kFilterFields{
    "category_id",   "campaign_id",  "campaign_type", "resource_id",
    "resource_type", "voucher_type", "code",          "holder_role"};

bool one_of(std::string_view v, auto const& list) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string text_value(const Json& v) {
  if (v.is_string()) return std::string(v.as_string());
  return to_json_text(v);
}

Status decode_filters(const JsonObject& filters, QualificationInput& in) {
  for (const auto& [name, value] : filters) {
    if (name == "junction") {
      if (!value.is_string() || (value.as_string() != "and" && value.as_string() != "AND" &&
                                 value.as_string() != "or" && value.as_string() != "OR")) {
        return bad("options.filters.junction must be and or or");
      }
      in.filters_or = value.as_string() == "or" || value.as_string() == "OR";
      continue;
    }
    if (!one_of(std::string_view(name), kFilterFields)) {
      return bad("options.filters cannot filter by '" + std::string(name) + "'");
    }
    const Json* conditions =
        value.is_object() ? value.as_object().if_contains("conditions") : nullptr;
    if (!conditions || !conditions->is_object()) {
      return bad("options.filters." + std::string(name) + " needs conditions");
    }
    for (const auto& [op_name, operand] : conditions->as_object()) {
      const auto op = filter_op_from_string(op_name);
      if (!op ||
          (*op != FilterOp::kIs && *op != FilterOp::kIsNot && *op != FilterOp::kIn &&
           *op != FilterOp::kNotIn && *op != FilterOp::kHasValue && *op != FilterOp::kIsUnknown)) {
        return bad("options.filters." + std::string(name) + ": unknown operator " +
                   std::string(op_name));
      }
      QualificationFilter f;
      f.field = std::string(name);
      f.op = *op;
      if (operand.is_array()) {
        if (operand.as_array().size() > 100) {
          return bad("options.filters." + std::string(name) + ": at most 100 values");
        }
        for (const Json& v : operand.as_array()) f.values.push_back(text_value(v));
      } else if (!operand.is_null()) {
        f.values.push_back(text_value(operand));
      }
      in.filters.push_back(std::move(f));
    }
  }
  return {};
}

}  // namespace

Result<QualificationInput> decode_qualification(const Json& body, QualificationOptions& options) {
  if (!body.is_object()) return bad("the body must be a JSON object");
  const JsonObject& o = body.as_object();
  QualificationInput in;
  OP_ASSIGN(in.request.order, decode_order(o.if_contains("order")));
  if (in.request.order.items.size() > 500) {
    return Error{400, "invalid_order", "Invalid order", "an order may have at most 500 items", {},
                 {}};
  }
  in.request.customer = decode_customer(o.if_contains("customer"));
  if (const Json* m = o.if_contains("metadata"); m && !m->is_null()) {
    OP_TRY(check_metadata(*m));
    if (m->is_object()) in.request.metadata = m->as_object();
  }
  OP_ASSIGN(in.tracking_id, read_string(o, "tracking_id"));
  OP_ASSIGN(auto scenario, read_string(o, "scenario"));
  if (scenario) {
    if (!one_of(std::string_view(*scenario), kScenarios)) {
      return bad(
          "scenario must be one of ALL, CUSTOMER_WALLET, AUDIENCE_ONLY, PRODUCTS, "
          "PRODUCTS_DISCOUNT, PROMOTION_STACKS, PRODUCTS_BY_CUSTOMER, "
          "PRODUCTS_DISCOUNT_BY_CUSTOMER");
    }
    in.scenario = *scenario;
  }
  const Json* opts = o.if_contains("options");
  if (opts && !opts->is_null()) {
    if (!opts->is_object()) return bad("options must be an object");
    const JsonObject& op = opts->as_object();
    OP_ASSIGN(auto limit, read_integer(op, "limit"));
    if (limit) {
      if (*limit < 1 || *limit > QualificationService::kMaxLimit) {
        return bad("options.limit must be from 1 to 50");
      }
      in.limit = static_cast<int>(*limit);
    }
    OP_ASSIGN(auto after, read_string(op, "starting_after"));
    if (after) {
      in.starting_after = parse_iso8601(*after);
      if (!in.starting_after) return bad("options.starting_after must be an ISO 8601 date");
    }
    OP_ASSIGN(auto sorting, read_string(op, "sorting_rule"));
    if (sorting) {
      if (*sorting != "DEFAULT" && *sorting != "BEST_DEAL" && *sorting != "LEAST_DEAL") {
        return bad("options.sorting_rule must be DEFAULT, BEST_DEAL or LEAST_DEAL");
      }
      in.sorting_rule = *sorting;
    }
    if (const Json* f = op.if_contains("filters"); f && !f->is_null()) {
      if (!f->is_object()) return bad("options.filters must be an object");
      OP_TRY(decode_filters(f->as_object(), in));
    }
    if (const Json* e = op.if_contains("expand"); e && e->is_array()) {
      for (const Json& x : e->as_array()) {
        if (!x.is_string()) continue;
        options.expand_redeemable = options.expand_redeemable || x.as_string() == "redeemable";
        options.expand_category = options.expand_category || x.as_string() == "category";
        options.expand_validation_rules =
            options.expand_validation_rules || x.as_string() == "validation_rules";
      }
    }
  }
  return in;
}

namespace {

JsonObject item_json(const QualifiedRedeemable& q, const QualificationRun& run,
                     const QualificationOptions& options) {
  JsonObject o;
  o["id"] = q.id;
  o["object"] = q.object;
  o["created_at"] = format_iso8601(q.created_at);
  JsonObject result;
  if (q.incentive) {
    const engine::Incentive& inc = *q.incentive;
    if (inc.voucher_kind == engine::Incentive::VoucherKind::kGift) {
      result["gift"] = JsonObject{{"balance", q.gift_balance.value_or(0)},
                                  {"credits", q.result.gift_credits},
                                  {"locked_credits", q.locked_credits}};
    } else if (inc.discount) {
      result["discount"] = discount_json(inc);
    }
    o["applicable_to"] = list_of(targets_json(q.result.applicable_to));
    o["inapplicable_to"] = list_of(targets_json(q.result.inapplicable_to));
    o["metadata"] = inc.metadata;
    o["categories"] = categories_json(inc, run.stacking);
  } else {
    o["metadata"] = JsonObject{};
    o["categories"] = JsonArray{};
    JsonArray nested;
    for (const engine::RedeemableResult& r : q.stacked) {
      JsonObject n;
      n["id"] = r.id;
      n["object"] = r.object;
      JsonObject nr;
      if (r.incentive && r.incentive->discount) nr["discount"] = discount_json(*r.incentive);
      n["result"] = std::move(nr);
      n["order"] = encode_order(r.order, run.request.order);
      if (r.incentive) {
        n["name"] = r.incentive->name;
        n["metadata"] = r.incentive->metadata;
      }
      nested.push_back(std::move(n));
    }
    o["redeemables"] = std::move(nested);
  }
  o["result"] = std::move(result);
  o["order"] = encode_order(q.order, run.request.order);
  o["validation_rule_id"] = q.rule_ids.empty() ? Json(nullptr) : Json(q.rule_ids.front());
  if (!q.name.empty()) o["name"] = q.name;
  if (q.banner) o["banner"] = *q.banner;
  if (q.campaign_name) o["campaign_name"] = *q.campaign_name;
  o["campaign_id"] = q.campaign_id ? Json(*q.campaign_id) : Json(nullptr);
  if (options.expand_validation_rules) {
    JsonArray assignments;
    for (const std::string& id : q.rule_ids) {
      assignments.push_back(JsonObject{{"rule_id", id},
                                       {"related_object_id", q.incentive ? q.incentive->id : q.id},
                                       {"related_object_type", q.object},
                                       {"object", "validation_rules_assignment"}});
    }
    o["validation_rules_assignments"] = list_of(std::move(assignments));
  }
  return o;
}

}  // namespace

JsonObject encode_qualification(const QualificationRun& run, const QualificationOptions& options,
                                std::string_view request_id) {
  (void)request_id;
  JsonArray data;
  for (const QualifiedRedeemable& q : run.items) data.push_back(item_json(q, run, options));
  JsonObject list;
  list["object"] = "list";
  list["data_ref"] = "data";
  list["data"] = std::move(data);
  list["total"] = run.total;
  list["has_more"] = run.has_more;
  if (run.has_more && !run.items.empty()) {
    list["more_starting_after"] = format_iso8601(run.items.back().created_at);
  }
  JsonObject o;
  o["redeemables"] = std::move(list);
  o["tracking_id"] = run.tracking_id;
  o["order"] = encode_order(run.order, run.request.order);
  o["stacking_rules"] = engine::stacking_rules_to_json(run.stacking);
  return o;
}

}  // namespace openpromo::api
