#include "store/template_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

constexpr std::string_view kColumns =
    "id, project_id, name, description, campaign_type, config, source_campaign_id,"
    " source_tier_id, created_at, updated_at";

constexpr std::array<sql::ListField, 4> kFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"campaign_type", "campaign_type", sql::FieldType::kText, false},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
}};
constexpr sql::ListTable kTable{"campaign_templates", kColumns, kFields};

CampaignTemplate from_row(const sql::Row& r) {
  CampaignTemplate t;
  t.id = r.text(0);
  t.project_id = r.text(1);
  t.name = r.text(2);
  t.description = sql::opt_text(r, 3);
  t.campaign_type = r.text(4);
  t.config = sql::json_object(r, 5);
  t.source_campaign_id = sql::opt_text(r, 6);
  t.source_tier_id = sql::opt_text(r, 7);
  t.created_at = Instant{r.integer(8)};
  t.updated_at = sql::opt_time(r, 9);
  return t;
}

Error duplicate_name(const std::string& name) {
  return Error::duplicate_found("campaign_template",
                                "a campaign template named '" + name + "' already exists");
}

}  // namespace

Status TemplateRepository::insert(const Scope& scope, const CampaignTemplate& t) {
  auto r = tx_.query("INSERT INTO campaign_templates (" + std::string(kColumns) +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {t.id, scope.project_id, t.name, sql::opt(t.description), t.campaign_type,
                      to_json_text(t.config), sql::opt(t.source_campaign_id),
                      sql::opt(t.source_tier_id), t.created_at.millis, sql::opt(t.updated_at)});
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) return duplicate_name(t.name);
    return std::move(r).take_error();
  }
  return {};
}

Result<std::optional<CampaignTemplate>> TemplateRepository::find(const Scope& scope,
                                                                 std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) +
                                   " FROM campaign_templates WHERE " + s.where() + " AND id = ?",
                               s.params({std::string(id)})));
  if (rs.rows.empty()) return std::optional<CampaignTemplate>{};
  return std::optional<CampaignTemplate>(from_row(rs.rows[0]));
}

Result<Page<CampaignTemplate>> TemplateRepository::list(const Scope& scope,
                                                        const ListQuery& query) {
  return sql::list_page<CampaignTemplate>(tx_, kTable, scope, query, from_row);
}

Status TemplateRepository::update(const Scope& scope, const CampaignTemplate& t) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{t.name, sql::opt(t.description), sql::opt(t.updated_at)};
  s.bind(params);
  params.emplace_back(t.id);
  auto r = tx_.query(
      "UPDATE campaign_templates SET name = ?, description = ?, updated_at = ?"
      " WHERE " +
          s.where() + " AND id = ?",
      params);
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) return duplicate_name(t.name);
    return std::move(r).take_error();
  }
  if (r->affected == 0) return Error::not_found("campaign_template", t.id);
  return {};
}

Result<bool> TemplateRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM campaign_templates WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  return r.affected > 0;
}

}  // namespace openpromo
