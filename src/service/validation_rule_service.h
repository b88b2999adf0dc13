// ValidationRuleService: /v1/validation-rules and their assignments (spec 7.1, 7.5).
//
// Rules are compiled when written, so a rule that the engine cannot evaluate is refused with
// 400 invalid_validation_rules at create/update time instead of failing validations later.
// Assignment bodies come in two shapes (conformance kit, quirk 5): the spec's
// {related_object_type, related_object_id} and the SDK's legacy {campaign|voucher|promotion_tier:
// id}.
#pragma once

#include <string>
#include <vector>

#include "core/json.h"
#include "model/api_key.h"
#include "model/validation_rule.h"
#include "store/store.h"

namespace openpromo {

class ValidationRuleService {
 public:
  explicit ValidationRuleService(Store& store) : store_(store) {}

  Result<ValidationRule> create(const Principal& who, const JsonObject& body);
  Result<ValidationRule> get(const Principal& who, std::string_view id);
  Result<Page<ValidationRule>> list(const Principal& who, const ListQuery& query);
  Result<ValidationRule> update(const Principal& who, std::string_view id, const JsonObject& body);
  Status remove(const Principal& who, std::string_view id);

  Result<RuleAssignment> assign(const Principal& who, std::string_view rule_id,
                                const JsonObject& body);
  Result<Page<RuleAssignment>> assignments(const Principal& who, std::string_view rule_id,
                                           const ListQuery& query);
  Status unassign(const Principal& who, std::string_view rule_id, std::string_view assignment_id);

  // `validation_rules: [ids]` of a campaign, voucher or tier create: every id must exist.
  Status check_rule_ids(const Principal& who, const Json* ids);
  Status assign_all(const Principal& who, const Json* ids, std::string_view object_type,
                    std::string_view object_id);
  // Assignments of one object, for its API view.
  Result<std::vector<RuleAssignment>> assignments_of(const Principal& who,
                                                     std::string_view object_id);

 private:
  Status apply_body(const JsonObject& body, ValidationRule& rule, bool creating);
  Store& store_;
};

}  // namespace openpromo
