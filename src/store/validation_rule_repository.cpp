#include "store/validation_rule_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

constexpr std::string_view kColumns =
    "id, project_id, name, type, context_type, definition, created_at, updated_at,"
    " (SELECT COUNT(*) FROM validation_rule_assignments a WHERE a.rule_id = validation_rules.id)";

constexpr std::array<sql::ListField, 5> kListFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"type", "type", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
    {"updated_at", "COALESCE(updated_at, created_at)", sql::FieldType::kTimestamp, true},
}};

constexpr sql::ListTable kTable{"validation_rules", kColumns, kListFields};

ValidationRule rule_from_row(const sql::Row& r) {
  ValidationRule v;
  v.id = r.text(0);
  v.project_id = r.text(1);
  v.name = r.text(2);
  v.type = r.text(3);
  v.context_type = r.text(4);
  v.definition = sql::json_definition(r, 5, v.unreadable);
  v.created_at = Instant{r.integer(6)};
  v.updated_at = sql::opt_time(r, 7);
  v.assignments_count = r.integer(8);
  return v;
}

constexpr std::string_view kAssignmentColumns =
    "id, project_id, rule_id, related_object_type, related_object_id, created_at";

RuleAssignment assignment_from_row(const sql::Row& r) {
  RuleAssignment a;
  a.id = r.text(0);
  a.project_id = r.text(1);
  a.rule_id = r.text(2);
  a.related_object_type = r.text(3);
  a.related_object_id = r.text(4);
  a.created_at = Instant{r.integer(5)};
  return a;
}

Error duplicate_name(const std::string& name) {
  return Error::duplicate_found("validation_rules",
                                "A validation rule named '" + name + "' already exists");
}

std::vector<RuleAssignment> assignments_from(const sql::ResultSet& rs) {
  std::vector<RuleAssignment> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(assignment_from_row(row));
  return out;
}

}  // namespace

Status ValidationRuleRepository::insert(const Scope& scope, const ValidationRule& v) {
  auto r = tx_.query(
      "INSERT INTO validation_rules (id, project_id, name, type, context_type, definition,"
      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
      {v.id, scope.project_id, v.name, v.type, v.context_type, to_json_text(v.definition),
       v.created_at.millis});
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) return duplicate_name(v.name);
    return std::move(r).take_error();
  }
  tx_.catalog_changed(scope.project_id);
  return {};
}

Result<std::optional<ValidationRule>> ValidationRuleRepository::find(const Scope& scope,
                                                                     std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM validation_rules WHERE " +
                                   s.where() + " AND id = ?",
                               s.params({std::string(id)})));
  if (rs.rows.empty()) return std::optional<ValidationRule>{};
  return std::optional<ValidationRule>(rule_from_row(rs.rows[0]));
}

Result<Page<ValidationRule>> ValidationRuleRepository::list(const Scope& scope,
                                                            const ListQuery& query) {
  return sql::list_page<ValidationRule>(tx_, kTable, scope, query, rule_from_row);
}

Result<std::vector<ValidationRule>> ValidationRuleRepository::all(const Scope& scope) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM validation_rules WHERE " +
                                   s.where() + " ORDER BY id",
                               s.params()));
  std::vector<ValidationRule> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(rule_from_row(row));
  return out;
}

Status ValidationRuleRepository::update(const Scope& scope, const ValidationRule& v) {
  const sql::Scoped s(scope);
  const Instant updated = v.updated_at.value_or(v.created_at);
  std::vector<sql::Value> params{v.name, v.type, v.context_type, to_json_text(v.definition),
                                 updated.millis};
  s.bind(params);
  params.emplace_back(v.id);
  auto r = tx_.query(
      "UPDATE validation_rules SET name = ?, type = ?, context_type = ?, definition = ?,"
      " updated_at = ? WHERE " +
          s.where() + " AND id = ?",
      params);
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) return duplicate_name(v.name);
    return std::move(r).take_error();
  }
  if (r->affected == 0) return Error::not_found("validation_rules", v.id);
  tx_.catalog_changed(scope.project_id);
  return {};
}

Status ValidationRuleRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_TRY(
      tx_.query("DELETE FROM validation_rule_assignments WHERE " + s.where() + " AND rule_id = ?",
                s.params({std::string(id)})));
  OP_ASSIGN(auto r, tx_.query("DELETE FROM validation_rules WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("validation_rules", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return {};
}

Status ValidationRuleRepository::assign(const Scope& scope, const RuleAssignment& a) {
  // The rule must be the scope's: a foreign key alone would accept another project's rule id.
  const sql::Scoped s(scope);
  OP_ASSIGN(auto owned,
            tx_.query("SELECT 1 FROM validation_rules WHERE " + s.where() + " AND id = ?",
                      s.params({a.rule_id})));
  if (owned.rows.empty()) return Error::not_found("validation_rules", a.rule_id);
  // ON CONFLICT DO NOTHING: a taken pair is a 409 without failing the unit's transaction.
  OP_ASSIGN(auto r,
            tx_.query("INSERT INTO validation_rule_assignments (id, project_id, rule_id,"
                      " related_object_type, related_object_id, created_at) VALUES (?, ?, ?, ?,"
                      " ?, ?) ON CONFLICT DO NOTHING",
                      {a.id, scope.project_id, a.rule_id, a.related_object_type,
                       a.related_object_id, a.created_at.millis}));
  if (r.affected == 0) {
    return Error::duplicate_found("validation_rules_assignment",
                                  "The rule is already assigned to " + a.related_object_id);
  }
  tx_.catalog_changed(scope.project_id);
  return {};
}

Result<Page<RuleAssignment>> ValidationRuleRepository::assignments(
    const Scope& scope, std::string_view rule_id, std::string_view related_object_id,
    const ListQuery& query) {
  const sql::Scoped s(scope);
  // Each given filter narrows; none: every assignment of the project.
  std::string where = " WHERE " + s.where();
  std::vector<sql::Value> params = s.params();
  if (!rule_id.empty()) {
    where += " AND rule_id = ?";
    params.emplace_back(std::string(rule_id));
  }
  if (!related_object_id.empty()) {
    where += " AND related_object_id = ?";
    params.emplace_back(std::string(related_object_id));
  }
  OP_ASSIGN(auto count,
            tx_.query("SELECT COUNT(*) FROM validation_rule_assignments" + where, params));
  const int64_t offset = static_cast<int64_t>(query.page - 1) * query.limit;
  params.emplace_back(int64_t{query.limit} + 1);
  params.emplace_back(offset);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kAssignmentColumns) +
                                   " FROM validation_rule_assignments" + where + " ORDER BY id " +
                                   (query.descending ? "DESC" : "ASC") + " LIMIT ? OFFSET ?",
                               params));
  Page<RuleAssignment> page;
  page.total = count.rows[0].integer(0);
  for (const auto& row : rs.rows) {
    if (static_cast<int>(page.items.size()) == query.limit) {
      page.has_more = true;
      break;
    }
    page.items.push_back(assignment_from_row(row));
  }
  return page;
}

Result<std::vector<RuleAssignment>> ValidationRuleRepository::assignments_of(
    const Scope& scope, std::string_view related_object_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kAssignmentColumns) +
                                   " FROM validation_rule_assignments WHERE " + s.where() +
                                   " AND related_object_id = ? ORDER BY id",
                               s.params({std::string(related_object_id)})));
  return assignments_from(rs);
}

Result<std::vector<RuleAssignment>> ValidationRuleRepository::all_assignments(const Scope& scope) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs,
            tx_.query("SELECT " + std::string(kAssignmentColumns) +
                          " FROM validation_rule_assignments WHERE " + s.where() + " ORDER BY id",
                      s.params()));
  return assignments_from(rs);
}

Status ValidationRuleRepository::unassign(const Scope& scope, std::string_view rule_id,
                                          std::string_view assignment_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM validation_rule_assignments WHERE " + s.where() +
                                  " AND rule_id = ? AND id = ?",
                              s.params({std::string(rule_id), std::string(assignment_id)})));
  if (r.affected == 0) {
    return Error::not_found("validation_rules_assignment", std::string(assignment_id));
  }
  tx_.catalog_changed(scope.project_id);
  return {};
}

}  // namespace openpromo
