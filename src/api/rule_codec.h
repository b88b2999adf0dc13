// Wire shapes of validation rules and their assignments (contract tag validation-rules), and the
// readers of rule bodies, assignment bodies and the `validation_rules: [id]` field of campaign,
// voucher and tier creates.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/validation_rule.h"
#include "service/validation_rule_service.h"

namespace openpromo::api {

boost::json::object validation_rule_json(const ValidationRule& rule);
boost::json::object assignment_json(const RuleAssignment& assignment);
boost::json::object assignments_list_json(const std::vector<RuleAssignment>& items);

Result<ValidationRuleInput> read_rule_input(const boost::json::object& body);
// The spec's {related_object_type, related_object_id} or the SDK's legacy
// {campaign|voucher|promotion_tier: id} (conformance kit, quirk 5).
AssignmentInput read_assignment_input(const boost::json::object& body);
// `validation_rules`: a list of at most one rule id (spec 7.5); absent or null: none.
Result<std::vector<std::string>> read_rule_ids(const boost::json::object& body);

}  // namespace openpromo::api
