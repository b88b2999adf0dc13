// Store: validation rules and their assignments.
#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/store.h"

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

ValidationRule rule_from_row(const sql::Row& r, size_t at = 0) {
  ValidationRule v;
  v.id = r.text(at + 0);
  v.project_id = r.text(at + 1);
  v.name = r.text(at + 2);
  v.type = r.text(at + 3);
  v.context_type = r.text(at + 4);
  v.definition = sql::json_object(r, at + 5);
  v.created_at = Instant{r.integer(at + 6)};
  v.updated_at = sql::opt_time(r, at + 7);
  v.assignments_count = r.integer(at + 8);
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

}  // namespace

Status Store::insert_validation_rule(const ValidationRule& v) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "INSERT INTO validation_rules (id, project_id, name, type, context_type, definition,"
      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
      {v.id, v.project_id, v.name, v.type, v.context_type, to_json_text(v.definition),
       v.created_at.millis});
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) return duplicate_name(v.name);
    return std::move(r).take_error();
  }
  return {};
}

Result<std::optional<ValidationRule>> Store::find_validation_rule(std::string_view project_id,
                                                                  std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(kColumns) +
                                      " FROM validation_rules WHERE project_id = ? AND id = ?",
                                  {std::string(project_id), std::string(id)}));
  if (rs.rows.empty()) return std::optional<ValidationRule>{};
  return std::optional<ValidationRule>(rule_from_row(rs.rows[0]));
}

Result<Page<ValidationRule>> Store::list_validation_rules(std::string_view project_id,
                                                          const ListQuery& query) {
  return sql::list_page<ValidationRule>(*db_, kTable, project_id, query,
                                        [](const sql::Row& r) { return rule_from_row(r); });
}

Status Store::update_validation_rule(const ValidationRule& v) {
  OP_ASSIGN(auto lease, db_->acquire());
  const Instant updated = v.updated_at.value_or(v.created_at);
  auto r = lease->query(
      "UPDATE validation_rules SET name = ?, type = ?, context_type = ?, definition = ?,"
      " updated_at = ? WHERE project_id = ? AND id = ?",
      {v.name, v.type, v.context_type, to_json_text(v.definition), updated.millis, v.project_id,
       v.id});
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) return duplicate_name(v.name);
    return std::move(r).take_error();
  }
  if (r->affected == 0) return Error::not_found("validation_rules", v.id);
  return {};
}

Status Store::delete_validation_rule(std::string_view project_id, std::string_view id) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Status {
    OP_TRY(
        conn.query("DELETE FROM validation_rule_assignments WHERE project_id = ? AND rule_id = ?",
                   {std::string(project_id), std::string(id)}));
    OP_ASSIGN(auto r, conn.query("DELETE FROM validation_rules WHERE project_id = ? AND id = ?",
                                 {std::string(project_id), std::string(id)}));
    if (r.affected == 0) return Error::not_found("validation_rules", std::string(id));
    return {};
  });
}

Status Store::insert_rule_assignment(const RuleAssignment& a) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "INSERT INTO validation_rule_assignments (id, project_id, rule_id, related_object_type,"
      " related_object_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      {a.id, a.project_id, a.rule_id, a.related_object_type, a.related_object_id,
       a.created_at.millis});
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) {
      return Error::duplicate_found("validation_rules_assignment",
                                    "The rule is already assigned to " + a.related_object_id);
    }
    if (r.error().key == sql::kForeignKeyViolation) {
      return Error::not_found("validation_rules", a.rule_id);
    }
    return std::move(r).take_error();
  }
  return {};
}

Result<Page<RuleAssignment>> Store::list_rule_assignments(std::string_view project_id,
                                                          std::string_view rule_id,
                                                          std::string_view related_object_id,
                                                          const ListQuery& query) {
  return sql::with_read_transaction(
      *db_, [&](sql::Connection& conn) -> Result<Page<RuleAssignment>> {
        const std::string where = rule_id.empty()
                                      ? " WHERE project_id = ? AND related_object_id = ?"
                                      : " WHERE project_id = ? AND rule_id = ?";
        const std::string key(rule_id.empty() ? related_object_id : rule_id);
        OP_ASSIGN(auto count, conn.query("SELECT COUNT(*) FROM validation_rule_assignments" + where,
                                         {std::string(project_id), key}));
        const int64_t offset = static_cast<int64_t>(query.page - 1) * query.limit;
        OP_ASSIGN(auto rs,
                  conn.query("SELECT " + std::string(kAssignmentColumns) +
                                 " FROM validation_rule_assignments" + where + " ORDER BY id " +
                                 (query.descending ? "DESC" : "ASC") + " LIMIT ? OFFSET ?",
                             {std::string(project_id), key, int64_t{query.limit} + 1, offset}));
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
      });
}

Status Store::delete_rule_assignment(std::string_view project_id, std::string_view rule_id,
                                     std::string_view assignment_id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto r, lease->query("DELETE FROM validation_rule_assignments WHERE project_id = ?"
                                 " AND rule_id = ? AND id = ?",
                                 {std::string(project_id), std::string(rule_id),
                                  std::string(assignment_id)}));
  if (r.affected == 0)
    return Error::not_found("validation_rules_assignment", std::string(assignment_id));
  return {};
}

Result<std::vector<std::pair<std::string, ValidationRule>>> Store::rules_for_objects(
    std::string_view project_id, const std::vector<std::string>& object_ids) {
  std::vector<std::pair<std::string, ValidationRule>> out;
  if (object_ids.empty()) return out;
  std::string placeholders;
  std::vector<sql::Value> params{std::string(project_id)};
  for (const auto& id : object_ids) {
    placeholders += placeholders.empty() ? "?" : ", ?";
    params.emplace_back(id);
  }
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(
      auto rs,
      lease->query("SELECT a.related_object_id, r.id, r.project_id, r.name, r.type,"
                   " r.context_type, r.definition, r.created_at, r.updated_at, 0"
                   " FROM validation_rule_assignments a JOIN validation_rules r"
                   " ON r.id = a.rule_id WHERE a.project_id = ? AND a.related_object_id IN (" +
                       placeholders + ") ORDER BY a.id",
                   std::move(params)));
  for (const auto& row : rs.rows) out.emplace_back(row.text(0), rule_from_row(row, 1));
  return out;
}

Result<int64_t> Store::catalog_version(std::string_view project_id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT version FROM catalog_versions WHERE project_id = ?",
                                  {std::string(project_id)}));
  return rs.rows.empty() ? int64_t{0} : rs.rows[0].integer(0);
}

std::unique_ptr<sql::Subscription> Store::watch_catalog(sql::NotificationCallback changed) {
  return db_->listen("openpromo_catalog", std::move(changed));  // see migration 8
}

Result<std::vector<RuleAssignment>> Store::all_rule_assignments(std::string_view project_id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(kAssignmentColumns) +
                                      " FROM validation_rule_assignments WHERE project_id = ?"
                                      " ORDER BY id",
                                  {std::string(project_id)}));
  std::vector<RuleAssignment> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(assignment_from_row(row));
  return out;
}

}  // namespace openpromo
