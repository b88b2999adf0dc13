#include "store/promotion_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

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
constexpr sql::ListTable kTiers{"promotion_tiers", kTierColumns, kTierFields, kLiveCampaign,
                                "promotion_tiers.campaign_id"};

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
  t.definition = sql::json_definition(r, 10, t.unreadable);
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
constexpr sql::ListTable kStacks{"promotion_stacks", kStackColumns, kStackFields, kLiveCampaign,
                                 "promotion_stacks.campaign_id"};

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
Result<std::vector<T>> select_all(UnitOfWork& tx, std::string_view columns, std::string_view table,
                                  const Scope& scope, std::string_view condition,
                                  std::initializer_list<sql::Value> extra, Decode decode) {
  // Rows of campaigns: a restricted scope reads only those of campaigns it sees.
  const auto s = sql::Scoped::campaign_rows(scope, std::string(table) + ".campaign_id");
  OP_ASSIGN(auto rs,
            tx.query("SELECT " + std::string(columns) + " FROM " + std::string(table) + " WHERE " +
                         s.where() + " AND " + std::string(kLiveCampaign) + std::string(condition),
                     s.params(extra)));
  std::vector<T> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(decode(row));
  return out;
}

}  // namespace

Status TierRepository::insert(const Scope& scope, const PromotionTier& t) {
  auto r = tx_.query("INSERT INTO promotion_tiers (" + std::string(kTierColumns) +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {t.id, scope.project_id, t.campaign_id, t.name, opt(t.banner), flag(t.active),
                      t.hierarchy, opt(t.category_id), opt(t.start_date), opt(t.expiration_date),
                      to_json_text(t.definition), t.created_at.millis, opt(t.updated_at)});
  if (!r.ok()) return map_error(std::move(r).take_error());
  tx_.catalog_changed(scope.project_id);
  return {};
}

Result<std::optional<PromotionTier>> TierRepository::find(const Scope& scope, std::string_view id) {
  OP_ASSIGN(auto found, select_all<PromotionTier>(tx_, kTierColumns, "promotion_tiers", scope,
                                                  " AND id = ?", {std::string(id)}, tier_from_row));
  if (found.empty() && scope.restricted) {
    // Not visible: there at all? Then it is another scope's (403), not missing (404).
    OP_ASSIGN(auto other,
              select_all<PromotionTier>(tx_, kTierColumns, "promotion_tiers", scope.project_wide(),
                                        " AND id = ?", {std::string(id)}, tier_from_row));
    if (!other.empty()) return Error::forbidden("campaign", other.front().campaign_id);
  }
  if (found.empty()) return std::optional<PromotionTier>{};
  return std::optional<PromotionTier>(std::move(found.front()));
}

Result<Page<PromotionTier>> TierRepository::list(const Scope& scope,
                                                 const std::optional<std::string>& campaign_id,
                                                 const ListQuery& query) {
  ListQuery q = query;
  if (campaign_id) {
    q.required.push_back(FilterCondition{"campaign_id", FilterOp::kIs, {*campaign_id}});
  }
  return sql::list_page<PromotionTier>(tx_, kTiers, scope, q, tier_from_row);
}

Result<std::vector<PromotionTier>> TierRepository::of_campaign(const Scope& scope,
                                                               std::string_view campaign_id) {
  return select_all<PromotionTier>(tx_, kTierColumns, "promotion_tiers", scope,
                                   " AND campaign_id = ? ORDER BY hierarchy, id",
                                   {std::string(campaign_id)}, tier_from_row);
}

Result<std::vector<PromotionTier>> TierRepository::all(const Scope& scope) {
  return select_all<PromotionTier>(tx_, kTierColumns, "promotion_tiers", scope, " ORDER BY id", {},
                                   tier_from_row);
}

Result<int64_t> TierRepository::max_hierarchy(const Scope& scope, std::string_view campaign_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT COALESCE(MAX(hierarchy), 0) FROM promotion_tiers WHERE " +
                                   s.where() + " AND campaign_id = ?",
                               s.params({std::string(campaign_id)})));
  return rs.rows.at(0).integer(0);
}

Status TierRepository::update(const Scope& scope, const PromotionTier& t) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{t.name,
                                 opt(t.banner),
                                 flag(t.active),
                                 t.hierarchy,
                                 opt(t.category_id),
                                 opt(t.start_date),
                                 opt(t.expiration_date),
                                 to_json_text(t.definition),
                                 opt(t.updated_at)};
  s.bind(params);
  params.emplace_back(t.id);
  auto r = tx_.query(
      "UPDATE promotion_tiers SET name = ?, banner = ?, active = ?, hierarchy = ?,"
      " category_id = ?, start_date = ?, expiration_date = ?, definition = ?, updated_at = ?"
      " WHERE " +
          s.where() + " AND id = ?",
      params);
  if (!r.ok()) return map_error(std::move(r).take_error());
  if (r->affected == 0) return Error::not_found("promotion_tier", t.id);
  tx_.catalog_changed(scope.project_id);
  return {};
}

Status TierRepository::lock(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("SELECT id FROM promotion_tiers WHERE " + s.where() + " AND id = ?" +
                                  (tx_.dialect() == "postgresql" ? " FOR UPDATE" : ""),
                              s.params({std::string(id)})));
  if (r.rows.empty()) return Error::not_found("promotion_tier", std::string(id));
  return {};
}

Status TierRepository::set_active(const Scope& scope, std::string_view id, bool active,
                                  Instant now) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{flag(active), now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_ASSIGN(auto r, tx_.query("UPDATE promotion_tiers SET active = ?, updated_at = ? WHERE " +
                                  s.where() + " AND id = ?",
                              params));
  if (r.affected == 0) return Error::not_found("promotion_tier", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return {};
}

Status TierRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM promotion_tiers WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("promotion_tier", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return {};
}

Status StackRepository::insert(const Scope& scope, const PromotionStack& s) {
  auto r =
      tx_.query("INSERT INTO promotion_stacks (" + std::string(kStackColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {s.id, scope.project_id, s.campaign_id, s.name, ids_text(s.tier_ids),
                 s.hierarchy_mode, opt(s.category_id), s.created_at.millis, opt(s.updated_at)});
  if (!r.ok()) return map_error(std::move(r).take_error());
  tx_.catalog_changed(scope.project_id);
  return {};
}

Result<std::optional<PromotionStack>> StackRepository::find(const Scope& scope,
                                                            std::string_view id) {
  OP_ASSIGN(auto found,
            select_all<PromotionStack>(tx_, kStackColumns, "promotion_stacks", scope, " AND id = ?",
                                       {std::string(id)}, stack_from_row));
  if (found.empty() && scope.restricted) {
    OP_ASSIGN(auto other, select_all<PromotionStack>(tx_, kStackColumns, "promotion_stacks",
                                                     scope.project_wide(), " AND id = ?",
                                                     {std::string(id)}, stack_from_row));
    if (!other.empty()) return Error::forbidden("campaign", other.front().campaign_id);
  }
  if (found.empty()) return std::optional<PromotionStack>{};
  return std::optional<PromotionStack>(std::move(found.front()));
}

Result<Page<PromotionStack>> StackRepository::list(const Scope& scope,
                                                   const std::optional<std::string>& campaign_id,
                                                   const ListQuery& query) {
  ListQuery q = query;
  if (campaign_id) {
    q.required.push_back(FilterCondition{"campaign_id", FilterOp::kIs, {*campaign_id}});
  }
  return sql::list_page<PromotionStack>(tx_, kStacks, scope, q, stack_from_row);
}

Result<std::vector<PromotionStack>> StackRepository::all(const Scope& scope) {
  return select_all<PromotionStack>(tx_, kStackColumns, "promotion_stacks", scope, " ORDER BY id",
                                    {}, stack_from_row);
}

Result<std::vector<PromotionStack>> StackRepository::listing_tier(const Scope& scope,
                                                                  std::string_view tier_id) {
  // tier_ids is a JSON array of ids; ids are opaque tokens, so the quoted id is found exactly.
  return select_all<PromotionStack>(tx_, kStackColumns, "promotion_stacks", scope,
                                    " AND tier_ids LIKE ? ORDER BY id",
                                    {"%\"" + std::string(tier_id) + "\"%"}, stack_from_row);
}

Status StackRepository::update(const Scope& scope, const PromotionStack& st) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{st.name, ids_text(st.tier_ids), st.hierarchy_mode,
                                 opt(st.category_id), opt(st.updated_at)};
  s.bind(params);
  params.emplace_back(st.id);
  auto r = tx_.query(
      "UPDATE promotion_stacks SET name = ?, tier_ids = ?, hierarchy_mode = ?, category_id = ?,"
      " updated_at = ? WHERE " +
          s.where() + " AND id = ?",
      params);
  if (!r.ok()) return map_error(std::move(r).take_error());
  if (r->affected == 0) return Error::not_found("promotion_stack", st.id);
  tx_.catalog_changed(scope.project_id);
  return {};
}

Status StackRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM promotion_stacks WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("promotion_stack", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return {};
}

}  // namespace openpromo
