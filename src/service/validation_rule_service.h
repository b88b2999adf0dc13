// ValidationRuleService: /v1/validation-rules and their assignments (spec 7.1, 7.5).
//
// Rules are compiled when written, so a rule that the engine cannot evaluate is refused with
// 400 invalid_validation_rules at create/update time instead of failing validations later.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "model/api_key.h"
#include "model/list_query.h"
#include "model/validation_rule.h"
#include "store/store.h"

namespace openpromo {

// A create or update of a rule: present fields only. For the definition parts, an inner nullopt
// is a present null, which removes the part (`bundle_rules: null`, spec 6.5).
struct ValidationRuleInput {
  std::optional<std::string> name, type, context_type;
  std::optional<std::optional<Json>> rules, bundle_rules, applicable_to, error, metadata;
};

// An assignment request: the object the rule is assigned to (`related_object_type` campaign,
// voucher or promotion_tier, and its id, code or name).
struct AssignmentInput {
  std::string related_object_type, related_object_id;
};

class ValidationRuleService {
 public:
  explicit ValidationRuleService(Store& store) : store_(store) {}

  Result<ValidationRule> create(const Principal& who, const ValidationRuleInput& input);
  Result<ValidationRule> get(const Principal& who, std::string_view id);
  Result<Page<ValidationRule>> list(const Principal& who, const ListQuery& query);
  Result<ValidationRule> update(const Principal& who, std::string_view id,
                                const ValidationRuleInput& input);
  Status remove(const Principal& who, std::string_view id);

  Result<RuleAssignment> assign(const Principal& who, std::string_view rule_id,
                                const AssignmentInput& input);
  // Every assignment of the project (GET /v1/validation-rules-assignments), narrowed by rule id
  // and by the object it is assigned to when given.
  Result<Page<RuleAssignment>> all_assignments(const Principal& who, std::string_view rule_id,
                                               std::string_view related_object_id,
                                               const ListQuery& query);
  Result<Page<RuleAssignment>> assignments(const Principal& who, std::string_view rule_id,
                                           const ListQuery& query);
  Status unassign(const Principal& who, std::string_view rule_id, std::string_view assignment_id);

 private:
  Store& store_;
};

// Assigns each of `rule_ids` (which must exist) to the object, inside `tx` (campaign, voucher
// and tier creates assign their `validation_rules` in their own unit of work).
Status assign_rules(UnitOfWork& tx, const Principal& who, const std::vector<std::string>& rule_ids,
                    std::string_view object_type, std::string_view object_id);
// Inserts `rules` (ids and names set by the caller) and assigns each to the object, in `tx`.
Status create_and_assign_rules(UnitOfWork& tx, const Principal& who,
                               const std::vector<ValidationRule>& rules,
                               std::string_view object_type, std::string_view object_id);

}  // namespace openpromo
