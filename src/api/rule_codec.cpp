#include "api/rule_codec.h"

#include "api/json_codec.h"

namespace openpromo::api {

namespace json = boost::json;

json::object validation_rule_json(const ValidationRule& rule) {
  json::object o;
  o["id"] = rule.id;
  o["name"] = rule.name;
  o["rules"] = rule.definition.contains("rules") ? rule.definition.at("rules") : Json(JsonObject{});
  if (rule.definition.contains("bundle_rules"))
    o["bundle_rules"] = rule.definition.at("bundle_rules");
  o["applicable_to"] =
      rule.definition.contains("applicable_to")
          ? rule.definition.at("applicable_to")
          : Json(JsonObject{
                {"included", JsonArray()}, {"excluded", JsonArray()}, {"included_all", false}});
  if (rule.definition.contains("error")) o["error"] = rule.definition.at("error");
  if (rule.definition.contains("metadata")) o["metadata"] = rule.definition.at("metadata");
  o["type"] = rule.type;
  o["context_type"] = rule.context_type;
  o["created_at"] = format_iso8601(rule.created_at);
  o["updated_at"] = time_or_null(rule.updated_at);
  o["assignments_count"] = rule.assignments_count;
  o["object"] = "validation_rules";
  return o;
}

json::object assignment_json(const RuleAssignment& a) {
  json::object o;
  o["id"] = a.id;
  o["rule_id"] = a.rule_id;
  o["related_object_id"] = a.related_object_id;
  o["related_object_type"] = a.related_object_type;
  o["created_at"] = format_iso8601(a.created_at);
  o["object"] = "validation_rules_assignment";
  return o;
}

json::object assignments_list_json(const std::vector<RuleAssignment>& items) {
  Page<RuleAssignment> page;
  page.items = items;
  page.total = static_cast<int64_t>(items.size());
  return list_json(page, assignment_json);
}

Result<ValidationRuleInput> read_rule_input(const json::object& body) {
  ValidationRuleInput in;
  if (const json::value* name = body.if_contains("name")) {
    if (!name->is_string())
      return Error::invalid_payload("name must be a string of 1-200 characters");
    in.name = std::string(name->as_string());
  }
  if (const json::value* type = body.if_contains("type"); type && !type->is_null()) {
    if (!type->is_string()) {
      return Error::invalid_payload("type must be basic, advanced, complex or expression");
    }
    in.type = std::string(type->as_string());
  }
  if (const json::value* context = body.if_contains("context_type");
      context && !context->is_null()) {
    if (!context->is_string()) return Error::invalid_payload("context_type must be a string");
    in.context_type = std::string(context->as_string());
  }
  for (auto [key, part] :
       {std::pair{"rules", &in.rules}, std::pair{"bundle_rules", &in.bundle_rules},
        std::pair{"applicable_to", &in.applicable_to}, std::pair{"error", &in.error},
        std::pair{"metadata", &in.metadata}}) {
    if (const json::value* v = body.if_contains(key)) {
      *part = v->is_null() ? std::optional<Json>() : std::optional<Json>(*v);
    }
  }
  return in;
}

AssignmentInput read_assignment_input(const json::object& body) {
  auto text = [&](std::string_view key) {
    const json::value* v = body.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  AssignmentInput in{text("related_object_type"), text("related_object_id")};
  if (in.related_object_type.empty()) {
    for (const char* legacy : {"campaign", "voucher", "promotion_tier"}) {
      if (!text(legacy).empty()) in = AssignmentInput{legacy, text(legacy)};
    }
  }
  return in;
}

Result<std::vector<std::string>> read_rule_ids(const json::object& body) {
  std::vector<std::string> out;
  const json::value* ids = body.if_contains("validation_rules");
  if (!ids || ids->is_null()) return out;
  if (!ids->is_array() || ids->as_array().size() > 1) {
    // A campaign, voucher or tier carries at most one directly created rule (spec 7.5).
    return Error::invalid_payload("validation_rules must be a list of at most one rule id");
  }
  for (const json::value& id : ids->as_array()) {
    if (!id.is_string()) return Error::invalid_payload("validation_rules must list rule ids");
    out.emplace_back(id.as_string());
  }
  return out;
}

}  // namespace openpromo::api
