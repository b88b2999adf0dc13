// Store: promotion tiers and stacks. Tiers and stacks of a binned campaign are invisible.
#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/store.h"

namespace openpromo {
namespace {

using sql::flag;
using sql::opt;

constexpr std::string_view kLiveCampaign =
    "campaign_id IN (SELECT id FROM campaigns WHERE deleted_at IS NULL)";

constexpr std::string_view kTierColumns =
    "id, project_id, campaign_id, name, banner, active, hierarchy, category_id, start_date,"
    " expiration_date, definition, created_at, updated_at";

constexpr std::array<sql::ListField, 7> kTierFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"campaign_id", "campaign_id", sql::FieldType::kText, false},
    {"active", "active", sql::FieldType::kBoolean, false},
    {"hierarchy", "hierarchy", sql::FieldType::kInteger, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
    {"updated_at", "COALESCE(updated_at, created_at)", sql::FieldType::kTimestamp, true},
}};

PromotionTier tier_from_row(const sql::Row& r) {
  PromotionTier t;
  t.id = r.text(0);
  t.project_id = r.text(1);
  t.campaign_id = r.text(2);
  t.name = r.text(3);
  t.banner = sql::opt_text(r, 4);
  t.active = r.integer(5) != 0;
  t.hierarchy = r.integer(6);
  t.category_id = sql::opt_text(r, 7);
  t.start_date = sql::opt_time(r, 8);
  t.expiration_date = sql::opt_time(r, 9);
  t.definition = sql::json_object(r, 10);
  t.created_at = Instant{r.integer(11)};
  t.updated_at = sql::opt_time(r, 12);
  return t;
}

constexpr std::string_view kStackColumns =
    "id, project_id, campaign_id, name, tier_ids, hierarchy_mode, category_id, created_at,"
    " updated_at";

constexpr std::array<sql::ListField, 5> kStackFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"campaign_id", "campaign_id", sql::FieldType::kText, false},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
    {"updated_at", "COALESCE(updated_at, created_at)", sql::FieldType::kTimestamp, true},
}};

std::string ids_text(const std::vector<std::string>& ids) {
  JsonArray a;
  for (const auto& id : ids) a.emplace_back(id);
  return to_json_text(a);
}

PromotionStack stack_from_row(const sql::Row& r) {
  PromotionStack s;
  s.id = r.text(0);
  s.project_id = r.text(1);
  s.campaign_id = r.text(2);
  s.name = r.text(3);
  if (auto ids = parse_json_text(r.text(4)); ids.ok() && ids->is_array()) {
    for (const auto& v : ids->as_array()) {
      if (v.is_string()) s.tier_ids.emplace_back(v.as_string());
    }
  }
  s.hierarchy_mode = r.text(5);
  s.category_id = sql::opt_text(r, 6);
  s.created_at = Instant{r.integer(7)};
  s.updated_at = sql::opt_time(r, 8);
  return s;
}

Error map_error(Error e) {
  if (e.key == sql::kForeignKeyViolation) {
    return Error::invalid_payload("campaign or category does not exist in this project");
  }
  return e;
}

template <class T, class Decode>
Result<Page<T>> list_of(sql::Database& db, const sql::ListTable& table, std::string_view project_id,
                        const std::optional<std::string>& campaign_id, ListQuery query,
                        Decode decode) {
  if (campaign_id) {
    query.filters.push_back(FilterCondition{"campaign_id", FilterOp::kIs, {*campaign_id}});
  }
  return sql::list_page<T>(db, table, project_id, query, decode);
}

}  // namespace

Status Store::insert_tier(const PromotionTier& t) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query("INSERT INTO promotion_tiers (" + std::string(kTierColumns) +
                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        {t.id, t.project_id, t.campaign_id, t.name, opt(t.banner), flag(t.active),
                         t.hierarchy, opt(t.category_id), opt(t.start_date), opt(t.expiration_date),
                         to_json_text(t.definition), t.created_at.millis, opt(t.updated_at)});
  if (!r.ok()) return map_error(std::move(r).take_error());
  return {};
}

Result<std::optional<PromotionTier>> Store::find_tier(std::string_view project_id,
                                                      std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(kTierColumns) +
                                      " FROM promotion_tiers WHERE project_id = ? AND id = ? AND " +
                                      std::string(kLiveCampaign),
                                  {std::string(project_id), std::string(id)}));
  if (rs.rows.empty()) return std::optional<PromotionTier>{};
  return std::optional<PromotionTier>(tier_from_row(rs.rows[0]));
}

Result<Page<PromotionTier>> Store::list_tiers(std::string_view project_id,
                                              const std::optional<std::string>& campaign_id,
                                              const ListQuery& query) {
  static constexpr sql::ListTable kTable{"promotion_tiers", kTierColumns, kTierFields,
                                         kLiveCampaign};
  return list_of<PromotionTier>(*db_, kTable, project_id, campaign_id, query, tier_from_row);
}

Status Store::update_tier(const PromotionTier& t) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "UPDATE promotion_tiers SET name = ?, banner = ?, active = ?, hierarchy = ?,"
      " category_id = ?, start_date = ?, expiration_date = ?, definition = ?, updated_at = ?"
      " WHERE project_id = ? AND id = ?",
      {t.name, opt(t.banner), flag(t.active), t.hierarchy, opt(t.category_id), opt(t.start_date),
       opt(t.expiration_date), to_json_text(t.definition), opt(t.updated_at), t.project_id, t.id});
  if (!r.ok()) return map_error(std::move(r).take_error());
  if (r->affected == 0) return Error::not_found("promotion_tier", t.id);
  return {};
}

Status Store::set_tier_active(std::string_view project_id, std::string_view id, bool active,
                              Instant now) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto r,
            lease->query("UPDATE promotion_tiers SET active = ?, updated_at = ? WHERE"
                         " project_id = ? AND id = ?",
                         {flag(active), now.millis, std::string(project_id), std::string(id)}));
  if (r.affected == 0) return Error::not_found("promotion_tier", std::string(id));
  return {};
}

Status Store::delete_tier(std::string_view project_id, std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto r, lease->query("DELETE FROM promotion_tiers WHERE project_id = ? AND id = ?",
                                 {std::string(project_id), std::string(id)}));
  if (r.affected == 0) return Error::not_found("promotion_tier", std::string(id));
  return {};
}

Status Store::insert_stack(const PromotionStack& s) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r =
      lease->query("INSERT INTO promotion_stacks (" + std::string(kStackColumns) +
                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   {s.id, s.project_id, s.campaign_id, s.name, ids_text(s.tier_ids),
                    s.hierarchy_mode, opt(s.category_id), s.created_at.millis, opt(s.updated_at)});
  if (!r.ok()) return map_error(std::move(r).take_error());
  return {};
}

Result<std::optional<PromotionStack>> Store::find_stack(std::string_view project_id,
                                                        std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs,
            lease->query("SELECT " + std::string(kStackColumns) +
                             " FROM promotion_stacks WHERE project_id = ? AND id = ? AND " +
                             std::string(kLiveCampaign),
                         {std::string(project_id), std::string(id)}));
  if (rs.rows.empty()) return std::optional<PromotionStack>{};
  return std::optional<PromotionStack>(stack_from_row(rs.rows[0]));
}

Result<Page<PromotionStack>> Store::list_stacks(std::string_view project_id,
                                                const std::optional<std::string>& campaign_id,
                                                const ListQuery& query) {
  static constexpr sql::ListTable kTable{"promotion_stacks", kStackColumns, kStackFields,
                                         kLiveCampaign};
  return list_of<PromotionStack>(*db_, kTable, project_id, campaign_id, query, stack_from_row);
}

Status Store::update_stack(const PromotionStack& s) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "UPDATE promotion_stacks SET name = ?, tier_ids = ?, hierarchy_mode = ?, category_id = ?,"
      " updated_at = ? WHERE project_id = ? AND id = ?",
      {s.name, ids_text(s.tier_ids), s.hierarchy_mode, opt(s.category_id), opt(s.updated_at),
       s.project_id, s.id});
  if (!r.ok()) return map_error(std::move(r).take_error());
  if (r->affected == 0) return Error::not_found("promotion_stack", s.id);
  return {};
}

Status Store::delete_stack(std::string_view project_id, std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto r, lease->query("DELETE FROM promotion_stacks WHERE project_id = ? AND id = ?",
                                 {std::string(project_id), std::string(id)}));
  if (r.affected == 0) return Error::not_found("promotion_stack", std::string(id));
  return {};
}

}  // namespace openpromo
