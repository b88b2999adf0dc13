// Validation rules and their assignments (spec 7.1, 7.5). Rule names are unique per project; an
// object carries a rule at most once. Deleting a rule removes its assignments in the same unit.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/list_query.h"
#include "model/scope.h"
#include "model/validation_rule.h"
#include "store/unit_of_work.h"

namespace openpromo {

class ValidationRuleRepository {
 public:
  explicit ValidationRuleRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const ValidationRule& rule);
  Result<std::optional<ValidationRule>> find(const Scope& scope, std::string_view id);
  Result<Page<ValidationRule>> list(const Scope& scope, const ListQuery& query);
  Result<std::vector<ValidationRule>> all(const Scope& scope);
  Status update(const Scope& scope, const ValidationRule& rule);
  Status remove(const Scope& scope, std::string_view id);

  Status assign(const Scope& scope, const RuleAssignment& assignment);
  // Assignments of one rule, or (rule empty) of one related object.
  Result<Page<RuleAssignment>> assignments(const Scope& scope, std::string_view rule_id,
                                           std::string_view related_object_id,
                                           const ListQuery& query);
  // Every assignment of one object, in assignment order.
  Result<std::vector<RuleAssignment>> assignments_of(const Scope& scope,
                                                     std::string_view related_object_id);
  // Every assignment of the project (catalog snapshots).
  Result<std::vector<RuleAssignment>> all_assignments(const Scope& scope);
  Status unassign(const Scope& scope, std::string_view rule_id, std::string_view assignment_id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
