#include "service/validation_rule_service.h"

#include "core/crypto.h"
#include "engine/definitions.h"
#include "service/campaign_service.h"
#include "service/events.h"
#include "store/promotion_repository.h"
#include "store/validation_rule_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {
namespace {

constexpr size_t kMaxNameLength = 200;

Error invalid_rules(std::string details) {
  Error e = Error::invalid_payload(std::move(details));
  e.key = "invalid_validation_rules";
  return e;
}

Status apply(const ValidationRuleInput& in, ValidationRule& rule, bool creating) {
  if (in.name) {
    if (in.name->empty() || in.name->size() > kMaxNameLength) {
      return Error::invalid_payload("name must be a string of 1-200 characters");
    }
    rule.name = *in.name;
  } else if (creating) {
    return Error::invalid_payload("name is required");
  }
  if (in.type) {
    const std::string& t = *in.type;
    if (t != "basic" && t != "advanced" && t != "complex" && t != "expression") {
      return Error::invalid_payload("type must be basic, advanced, complex or expression");
    }
    rule.type = t;
  }
  if (in.context_type) {
    if (in.context_type->size() > 100) {
      return Error::invalid_payload("context_type must be a string");
    }
    // Accepted and shown; v1 evaluates every rule with `global` semantics (spec 7.1, ours).
    rule.context_type = *in.context_type;
  }
  for (auto [key, part] :
       {std::pair{"rules", &in.rules}, std::pair{"bundle_rules", &in.bundle_rules},
        std::pair{"applicable_to", &in.applicable_to}, std::pair{"error", &in.error},
        std::pair{"metadata", &in.metadata}}) {
    if (!*part) continue;
    if (!**part || (**part)->is_null()) {
      rule.definition.erase(key);
    } else {
      rule.definition[key] = ***part;
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

Result<ValidationRule> find_rule(UnitOfWork& tx, const Scope& scope, std::string_view id) {
  OP_ASSIGN(auto found, ValidationRuleRepository(tx).find(scope, id));
  if (!found) return Error::not_found("validation_rules", std::string(id));
  return std::move(*found);
}

JsonObject rule_event(const ValidationRule& r) {
  return JsonObject{{"id", r.id}, {"name", r.name}, {"object", "validation_rules"}};
}

JsonObject assignment_event(const RuleAssignment& a) {
  return JsonObject{{"id", a.id},
                    {"rule_id", a.rule_id},
                    {"related_object_id", a.related_object_id},
                    {"related_object_type", a.related_object_type},
                    {"object", "validation_rules_assignment"}};
}

// Resolves the object named by id, code or name to its id; the object must be the scope's.
Result<std::string> object_id_of(UnitOfWork& tx, const Principal& who, const std::string& type,
                                 const std::string& object) {
  const Scope scope = who.scope();
  if (type == "campaign") {
    OP_ASSIGN(Campaign c, find_campaign(tx, scope, object));
    return c.id;
  }
  if (type == "voucher") {
    OP_ASSIGN(auto v, VoucherRepository(tx).find(scope, object, who.project.case_sensitive_codes));
    if (!v) return Error::not_found("voucher", object);
    return v->id;
  }
  if (type == "promotion_tier") {
    OP_ASSIGN(auto t, TierRepository(tx).find(scope, object));
    if (!t) return Error::not_found("promotion_tier", object);
    return t->id;
  }
  return Error::invalid_payload("related_object_type must be campaign, voucher or promotion_tier");
}

Result<RuleAssignment> assign_in(UnitOfWork& tx, const Principal& who, std::string_view rule_id,
                                 const AssignmentInput& in) {
  if (in.related_object_type.empty() || in.related_object_id.empty()) {
    return Error::invalid_payload(
        "send related_object_type and related_object_id (or campaign, voucher or promotion_tier)");
  }
  OP_ASSIGN(ValidationRule rule, find_rule(tx, who.scope(), rule_id));
  OP_ASSIGN(std::string object_id,
            object_id_of(tx, who, in.related_object_type, in.related_object_id));
  RuleAssignment a;
  a.id = new_id("asgm_");
  a.project_id = who.project_id;
  a.rule_id = rule.id;
  a.related_object_type = in.related_object_type;
  a.related_object_id = std::move(object_id);
  a.created_at = now_utc();
  OP_TRY(ValidationRuleRepository(tx).assign(who.scope(), a));
  OP_TRY(record_event(tx, who, "business_validation_rule.assignment.created", a.id,
                      assignment_event(a)));
  return a;
}

}  // namespace

Status assign_rules(UnitOfWork& tx, const Principal& who, const std::vector<std::string>& rule_ids,
                    std::string_view object_type, std::string_view object_id) {
  for (const std::string& id : rule_ids) {
    OP_TRY(
        assign_in(tx, who, id, AssignmentInput{std::string(object_type), std::string(object_id)}));
  }
  return {};
}

Status create_and_assign_rules(UnitOfWork& tx, const Principal& who,
                               const std::vector<ValidationRule>& rules,
                               std::string_view object_type, std::string_view object_id) {
  for (const ValidationRule& rule : rules) {
    OP_TRY(ValidationRuleRepository(tx).insert(who.scope(), rule));
    OP_TRY(assign_in(tx, who, rule.id,
                     AssignmentInput{std::string(object_type), std::string(object_id)}));
  }
  return {};
}

Result<ValidationRule> ValidationRuleService::create(const Principal& who,
                                                     const ValidationRuleInput& in) {
  ValidationRule rule;
  rule.id = new_id("val_");
  rule.project_id = who.project_id;
  OP_TRY(apply(in, rule, true));
  rule.created_at = now_utc();
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_TRY(ValidationRuleRepository(tx).insert(who.scope(), rule));
    return record_event(tx, who, "business_validation_rule.created", rule.id, rule_event(rule));
  }));
  return rule;
}

Result<ValidationRule> ValidationRuleService::get(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto tx, store_.statements());
  return find_rule(tx, who.scope(), id);
}

Result<Page<ValidationRule>> ValidationRuleService::list(const Principal& who,
                                                         const ListQuery& query) {
  return store_.in_snapshot(
      [&](UnitOfWork& tx) { return ValidationRuleRepository(tx).list(who.scope(), query); });
}

Result<ValidationRule> ValidationRuleService::update(const Principal& who, std::string_view id,
                                                     const ValidationRuleInput& in) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<ValidationRule> {
    OP_ASSIGN(ValidationRule rule, find_rule(tx, who.scope(), id));
    OP_TRY(apply(in, rule, false));
    rule.updated_at = now_utc();
    OP_TRY(ValidationRuleRepository(tx).update(who.scope(), rule));
    OP_TRY(record_event(tx, who, "business_validation_rule.updated", rule.id, rule_event(rule)));
    return find_rule(tx, who.scope(), rule.id);
  });
}

Status ValidationRuleService::remove(const Principal& who, std::string_view id) {
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_ASSIGN(ValidationRule rule, find_rule(tx, who.scope(), id));
    OP_TRY(ValidationRuleRepository(tx).remove(who.scope(), rule.id));
    return record_event(tx, who, "business_validation_rule.deleted", rule.id, rule_event(rule));
  });
}

Result<RuleAssignment> ValidationRuleService::assign(const Principal& who, std::string_view rule_id,
                                                     const AssignmentInput& in) {
  return store_.in_write([&](UnitOfWork& tx) { return assign_in(tx, who, rule_id, in); });
}

Result<Page<RuleAssignment>> ValidationRuleService::assignments(const Principal& who,
                                                                std::string_view rule_id,
                                                                const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<RuleAssignment>> {
    OP_TRY(find_rule(tx, who.scope(), rule_id));
    return ValidationRuleRepository(tx).assignments(who.scope(), rule_id, {}, query);
  });
}

Result<Page<RuleAssignment>> ValidationRuleService::all_assignments(
    const Principal& who, std::string_view rule_id, std::string_view related_object_id,
    const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) {
    return ValidationRuleRepository(tx).assignments(who.scope(), rule_id, related_object_id, query);
  });
}

Status ValidationRuleService::unassign(const Principal& who, std::string_view rule_id,
                                       std::string_view assignment_id) {
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_TRY(ValidationRuleRepository(tx).unassign(who.scope(), rule_id, assignment_id));
    return record_event(tx, who, "business_validation_rule.assignment.deleted",
                        std::string(assignment_id),
                        JsonObject{{"id", std::string(assignment_id)},
                                   {"rule_id", std::string(rule_id)},
                                   {"object", "validation_rules_assignment"}});
  });
}

}  // namespace openpromo
