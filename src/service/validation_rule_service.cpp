#include "service/validation_rule_service.h"

#include "core/crypto.h"
#include "engine/definitions.h"

namespace openpromo {
namespace {

constexpr size_t kMaxNameLength = 200;

Error invalid_rules(std::string details) {
  Error e = Error::invalid_payload(std::move(details));
  e.key = "invalid_validation_rules";
  return e;
}

}  // namespace

Status ValidationRuleService::apply_body(const JsonObject& body, ValidationRule& rule,
                                         bool creating) {
  if (const Json* name = body.if_contains("name")) {
    if (!name->is_string() || name->as_string().empty() ||
        name->as_string().size() > kMaxNameLength) {
      return Error::invalid_payload("name must be a string of 1-200 characters");
    }
    rule.name = std::string(name->as_string());
  } else if (creating) {
    return Error::invalid_payload("name is required");
  }
  if (const Json* type = body.if_contains("type"); type && !type->is_null()) {
    const bool known =
        type->is_string() && (type->as_string() == "basic" || type->as_string() == "advanced" ||
                              type->as_string() == "complex" || type->as_string() == "expression");
    if (!known)
      return Error::invalid_payload("type must be basic, advanced, complex or expression");
    rule.type = std::string(type->as_string());
  }
  if (const Json* context = body.if_contains("context_type"); context && !context->is_null()) {
    if (!context->is_string() || context->as_string().size() > 100) {
      return Error::invalid_payload("context_type must be a string");
    }
    // Accepted and shown; v1 evaluates every rule with `global` semantics (spec 7.1, ours).
    rule.context_type = std::string(context->as_string());
  }
  for (const char* key : {"rules", "bundle_rules", "applicable_to", "error", "metadata"}) {
    if (const Json* v = body.if_contains(key)) {
      if (v->is_null()) {
        rule.definition.erase(key);  // `bundle_rules: null` deletes it (spec 6.5)
      } else {
        rule.definition[key] = *v;
      }
    }
  }
  if (const Json* e = rule.definition.if_contains("error"); e && !e->is_object()) {
    return invalid_rules("error must be an object with a message");
  }
  if (!rule.definition.contains("rules")) rule.definition["rules"] = JsonObject{{"logic", ""}};
  // Compiling is the check: the engine must be able to evaluate what we store.
  OP_TRY(engine::compile_rule(rule.id, rule.definition));
  return {};
}

Result<ValidationRule> ValidationRuleService::create(const Principal& who, const JsonObject& body) {
  ValidationRule rule;
  rule.id = new_id("val_");
  rule.project_id = who.project_id;
  OP_TRY(apply_body(body, rule, true));
  rule.created_at = now_utc();
  OP_TRY(store_.insert_validation_rule(rule));
  return rule;
}

Result<ValidationRule> ValidationRuleService::get(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto found, store_.find_validation_rule(who.project_id, id));
  if (!found) return Error::not_found("validation_rules", std::string(id));
  return std::move(*found);
}

Result<Page<ValidationRule>> ValidationRuleService::list(const Principal& who,
                                                         const ListQuery& query) {
  return store_.list_validation_rules(who.project_id, query);
}

Result<ValidationRule> ValidationRuleService::update(const Principal& who, std::string_view id,
                                                     const JsonObject& body) {
  OP_ASSIGN(ValidationRule rule, get(who, id));
  OP_TRY(apply_body(body, rule, false));
  rule.updated_at = now_utc();
  OP_TRY(store_.update_validation_rule(rule));
  return get(who, id);
}

Status ValidationRuleService::remove(const Principal& who, std::string_view id) {
  return store_.delete_validation_rule(who.project_id, id);
}

Result<RuleAssignment> ValidationRuleService::assign(const Principal& who, std::string_view rule_id,
                                                     const JsonObject& body) {
  OP_ASSIGN(auto rule, get(who, rule_id));
  std::string type, object_id;
  auto text = [&](std::string_view key) {
    const Json* v = body.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  type = text("related_object_type");
  object_id = text("related_object_id");
  if (type.empty()) {
    for (const char* legacy : {"campaign", "voucher", "promotion_tier"}) {
      if (!text(legacy).empty()) {
        type = legacy;
        object_id = text(legacy);
      }
    }
  }
  if (type.empty() || object_id.empty()) {
    return Error::invalid_payload(
        "send related_object_type and related_object_id (or campaign, voucher or promotion_tier)");
  }
  // Resolve to the object's id (vouchers may be named by code, campaigns by name).
  if (type == "campaign") {
    OP_ASSIGN(auto c, store_.find_campaign(who.project_id, object_id));
    if (!c) return Error::not_found("campaign", object_id);
    object_id = c->id;
  } else if (type == "voucher") {
    OP_ASSIGN(auto project, store_.find_project(who.project_id));
    OP_ASSIGN(auto v, store_.find_voucher(who.project_id, object_id,
                                          !project || project->case_sensitive_codes));
    if (!v) return Error::not_found("voucher", object_id);
    object_id = v->id;
  } else if (type == "promotion_tier") {
    OP_ASSIGN(auto t, store_.find_tier(who.project_id, object_id));
    if (!t) return Error::not_found("promotion_tier", object_id);
  } else {
    return Error::invalid_payload(
        "related_object_type must be campaign, voucher or promotion_tier");
  }
  RuleAssignment a;
  a.id = new_id("asgm_");
  a.project_id = who.project_id;
  a.rule_id = rule.id;
  a.related_object_type = type;
  a.related_object_id = object_id;
  a.created_at = now_utc();
  OP_TRY(store_.insert_rule_assignment(a));
  return a;
}

Result<Page<RuleAssignment>> ValidationRuleService::assignments(const Principal& who,
                                                                std::string_view rule_id,
                                                                const ListQuery& query) {
  OP_TRY(get(who, rule_id));
  return store_.list_rule_assignments(who.project_id, rule_id, {}, query);
}

Status ValidationRuleService::unassign(const Principal& who, std::string_view rule_id,
                                       std::string_view assignment_id) {
  return store_.delete_rule_assignment(who.project_id, rule_id, assignment_id);
}

Status ValidationRuleService::check_rule_ids(const Principal& who, const Json* ids) {
  if (!ids || ids->is_null()) return {};
  if (!ids->is_array() || ids->as_array().size() > 1) {
    // A campaign, voucher or tier carries at most one directly created rule (spec 7.5).
    return Error::invalid_payload("validation_rules must be a list of at most one rule id");
  }
  for (const Json& id : ids->as_array()) {
    if (!id.is_string()) return Error::invalid_payload("validation_rules must list rule ids");
    OP_TRY(get(who, id.as_string()));
  }
  return {};
}

Status ValidationRuleService::assign_all(const Principal& who, const Json* ids,
                                         std::string_view object_type, std::string_view object_id) {
  if (!ids || !ids->is_array()) return {};
  for (const Json& id : ids->as_array()) {
    JsonObject body{{"related_object_type", object_type}, {"related_object_id", object_id}};
    OP_TRY(assign(who, id.as_string(), body));
  }
  return {};
}

Result<std::vector<RuleAssignment>> ValidationRuleService::assignments_of(
    const Principal& who, std::string_view object_id) {
  ListQuery query;
  query.limit = ListQuery::kMaxLimit;
  OP_ASSIGN(auto page, store_.list_rule_assignments(who.project_id, {}, object_id, query));
  return std::move(page.items);
}

}  // namespace openpromo
