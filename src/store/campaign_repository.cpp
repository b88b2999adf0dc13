#include "store/campaign_repository.h"

#include <unordered_map>

#include <array>
#include <cstdint>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

using sql::flag;
using sql::opt;

constexpr std::string_view kColumns =
    "id, project_id, name, description, campaign_type, mode, active, category_id, start_date,"
    " expiration_date, join_once, auto_join, use_voucher_metadata_schema, is_protected,"
    " creation_status, vouchers_generation_status, vouchers_count, definition, created_at,"
    " updated_at, deleted_at";

constexpr std::array<sql::ListField, 11> kListFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"campaign_type", "campaign_type", sql::FieldType::kText, false},
    {"type", "mode", sql::FieldType::kText, false},
    {"active", "active", sql::FieldType::kBoolean, false},
    {"category_id", "category_id", sql::FieldType::kText, false},
    {"creation_status", "creation_status", sql::FieldType::kText, false},
    // Ours: the dashboard's date filters (a campaign without the date does not match).
    {"start_date", "start_date", sql::FieldType::kTimestamp, false},
    {"expiration_date", "expiration_date", sql::FieldType::kTimestamp, false},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
    {"updated_at", "COALESCE(updated_at, created_at)", sql::FieldType::kTimestamp, true},
}};

// Binned campaigns are invisible to lists: the view-like table expression filters them.
constexpr sql::ListTable kTable{"campaigns", kColumns, kListFields, "deleted_at IS NULL",
                                "campaigns.id"};

Campaign from_row(const sql::Row& r) {
  Campaign c;
  c.id = r.text(0);
  c.project_id = r.text(1);
  c.name = r.text(2);
  c.description = sql::opt_text(r, 3);
  c.campaign_type = campaign_type_from_string(r.text(4)).value_or(CampaignType::kDiscountCoupons);
  c.mode = campaign_mode_from_string(r.text(5)).value_or(CampaignMode::kAutoUpdate);
  c.active = r.integer(6) != 0;
  c.category_id = sql::opt_text(r, 7);
  c.start_date = sql::opt_time(r, 8);
  c.expiration_date = sql::opt_time(r, 9);
  c.join_once = r.integer(10) != 0;
  c.auto_join = r.integer(11) != 0;
  c.use_voucher_metadata_schema = r.integer(12) != 0;
  c.is_protected = r.integer(13) != 0;
  c.creation_status = r.text(14);
  c.vouchers_generation_status = r.text(15);
  c.vouchers_count = r.integer(16);
  c.definition = sql::json_definition(r, 17, c.unreadable);
  c.created_at = Instant{r.integer(18)};
  c.updated_at = sql::opt_time(r, 19);
  c.deleted_at = sql::opt_time(r, 20);
  return c;
}

Error map_write_error(Error e, const Campaign& c) {
  if (e.key == sql::kUniqueViolation) {
    return Error::duplicate_found("campaign", "A campaign named '" + c.name + "' already exists");
  }
  if (e.key == sql::kForeignKeyViolation) {
    return Error::invalid_payload("category_id does not name a category of this project");
  }
  return e;
}

}  // namespace

Status CampaignRepository::insert(const Scope& scope, const Campaign& c) {
  const std::vector<sql::Value> values{c.id,
                                       scope.project_id,
                                       c.name,
                                       opt(c.description),
                                       std::string(to_string(c.campaign_type)),
                                       std::string(to_string(c.mode)),
                                       flag(c.active),
                                       opt(c.category_id),
                                       opt(c.start_date),
                                       opt(c.expiration_date),
                                       flag(c.join_once),
                                       flag(c.auto_join),
                                       flag(c.use_voucher_metadata_schema),
                                       flag(c.is_protected),
                                       c.creation_status,
                                       c.vouchers_generation_status,
                                       c.vouchers_count,
                                       to_json_text(c.definition),
                                       c.created_at.millis,
                                       opt(c.updated_at),
                                       opt(c.deleted_at)};
  auto r = tx_.query("INSERT INTO campaigns (" + std::string(kColumns) +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     values);
  if (!r.ok()) return map_write_error(std::move(r).take_error(), c);
  tx_.catalog_changed(scope.project_id);
  return {};
}

Result<std::optional<Campaign>> CampaignRepository::find(const Scope& scope,
                                                         std::string_view id_or_name,
                                                         bool include_binned) {
  const sql::Scoped s(scope);
  const std::string key(id_or_name);
  // A restricted caller: the campaign's visibility and ownership as two more columns.
  sql::Predicate access = sql::access_columns(scope, "campaigns.id");
  std::vector<sql::Value> params = std::move(access.params);
  s.bind(params);
  for (const std::string& v : {key, key, key}) params.emplace_back(v);
  OP_ASSIGN(auto rs,
            tx_.query("SELECT " + std::string(kColumns) + access.sql + " FROM campaigns WHERE " +
                          s.where() + " AND (id = ? OR name = ?)" +
                          (include_binned ? "" : " AND deleted_at IS NULL") +
                          " ORDER BY (id = ?) DESC LIMIT 1",
                      params));
  if (rs.rows.empty()) return std::optional<Campaign>{};
  Campaign c = from_row(rs.rows[0]);
  if (scope.restricted) {
    const sql::Row& row = rs.rows[0];
    const size_t n = row.columns.size();
    if (row.integer(n - 2) == 0) return Error::forbidden("campaign", c.id);
    c.readonly = row.integer(n - 1) == 0;
  }
  return std::optional<Campaign>(std::move(c));
}

Result<Page<Campaign>> CampaignRepository::list(const Scope& scope, const ListQuery& query) {
  OP_ASSIGN(auto page, sql::list_page<Campaign>(tx_, kTable, scope, query, from_row));
  if (!scope.restricted || page.items.empty()) return page;
  // Which of the listed campaigns the restricted caller owns (the others are read-only to it).
  const sql::Predicate owned = sql::campaign_owned(scope, "campaigns.id");
  const sql::Scoped s(scope);
  std::vector<sql::Value> params = owned.params;
  s.bind(params);
  std::string in;
  for (const Campaign& c : page.items) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(c.id);
  }
  OP_ASSIGN(auto rs, tx_.query("SELECT id, CASE WHEN " + owned.sql +
                                   " THEN 1 ELSE 0 END FROM campaigns WHERE " + s.where() +
                                   " AND id IN (" + in + ")",
                               params));
  std::unordered_map<std::string, bool> own;
  for (const auto& row : rs.rows) own[row.text(0)] = row.integer(1) == 1;
  for (Campaign& c : page.items) c.readonly = !own[c.id];
  return page;
}

Result<std::vector<Campaign>> CampaignRepository::all(const Scope& scope) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM campaigns WHERE " +
                                   s.where() + " AND deleted_at IS NULL ORDER BY id",
                               s.params()));
  std::vector<Campaign> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(from_row(row));
  return out;
}

Status CampaignRepository::set_active(const Scope& scope, std::string_view id, bool active,
                                      Instant now) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{flag(active), now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_ASSIGN(auto r, tx_.query("UPDATE campaigns SET active = ?, updated_at = ? WHERE " + s.where() +
                                  " AND id = ? AND deleted_at IS NULL",
                              params));
  if (r.affected == 0) return Error::not_found("campaign", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return {};
}

Status CampaignRepository::update(const Scope& scope, const Campaign& c) {
  // Counters and generation status are not written here: jobs change them with their own
  // statements, so an edit during generation never rolls them back.
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{opt(c.description),     flag(c.active),
                                 opt(c.category_id),     opt(c.start_date),
                                 opt(c.expiration_date), flag(c.join_once),
                                 flag(c.auto_join),      flag(c.use_voucher_metadata_schema),
                                 flag(c.is_protected),   to_json_text(c.definition),
                                 opt(c.updated_at)};
  s.bind(params);
  params.emplace_back(c.id);
  auto r = tx_.query(
      "UPDATE campaigns SET description = ?, active = ?, category_id = ?, start_date = ?,"
      " expiration_date = ?, join_once = ?, auto_join = ?, use_voucher_metadata_schema = ?,"
      " is_protected = ?, definition = ?, updated_at = ? WHERE " +
          s.where() + " AND id = ? AND deleted_at IS NULL",
      params);
  if (!r.ok()) return map_write_error(std::move(r).take_error(), c);
  if (r->affected == 0) return Error::not_found("campaign", c.id);
  tx_.catalog_changed(scope.project_id);
  return {};
}

Status CampaignRepository::lock_live(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto live, tx_.query("UPDATE campaigns SET vouchers_count = vouchers_count WHERE " +
                                     s.where() + " AND id = ? AND deleted_at IS NULL",
                                 s.params({std::string(id)})));
  if (live.affected == 0) return Error::not_found("campaign", std::string(id));
  return {};
}

Status CampaignRepository::set_generation_status(const Scope& scope, std::string_view id,
                                                 std::string_view status) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{std::string(status), std::string(status)};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_TRY(
      tx_.query("UPDATE campaigns SET creation_status = ?, vouchers_generation_status = ?"
                " WHERE " +
                    s.where() + " AND id = ?",
                params));
  return {};
}

Status CampaignRepository::add_vouchers_count(const Scope& scope, std::string_view id, int64_t by) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{by, by};
  s.bind(params);
  params.emplace_back(std::string(id));
  // A count never goes below zero, whatever order concurrent removals land in.
  OP_TRY(
      tx_.query("UPDATE campaigns SET vouchers_count = CASE WHEN vouchers_count + ? < 0"
                " THEN 0 ELSE vouchers_count + ? END WHERE " +
                    s.where() + " AND id = ?",
                params));
  return {};
}

Result<CampaignRepository::VoucherCounts> CampaignRepository::count_vouchers(
    const Scope& scope, std::string_view id, std::optional<Instant> from,
    std::optional<Instant> to) {
  const sql::Scoped s(scope);
  const int64_t lo = from ? from->millis : INT64_MIN;
  const int64_t hi = to ? to->millis : INT64_MAX;
  std::vector<sql::Value> params{lo, hi, lo, hi};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_ASSIGN(auto rs,
            tx_.query("SELECT"
                      " COALESCE(SUM(CASE WHEN created_at >= ? AND created_at < ? THEN 1 ELSE 0"
                      " END), 0),"
                      " COALESCE(SUM(CASE WHEN deleted_at >= ? AND deleted_at < ? THEN 1 ELSE 0"
                      " END), 0)"
                      " FROM vouchers WHERE " +
                          s.where() + " AND campaign_id = ?",
                      params));
  VoucherCounts counts;
  if (!rs.rows.empty()) {
    // SUM is a number type on PostgreSQL (read as double) and an integer on SQLite.
    auto as_int = [](const sql::Value& v) -> int64_t {
      if (const auto* i = std::get_if<int64_t>(&v)) return *i;
      if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
      return 0;
    };
    counts.created = as_int(rs.rows[0].columns.at(0));
    counts.deleted = as_int(rs.rows[0].columns.at(1));
  }
  return counts;
}

Status CampaignRepository::bin(const Scope& scope, std::string_view id, Instant now) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_ASSIGN(auto updated, tx_.query("UPDATE campaigns SET deleted_at = ? WHERE " + s.where() +
                                        " AND id = ? AND deleted_at IS NULL",
                                    params));
  if (updated.affected == 0) return Error::not_found("campaign", std::string(id));
  OP_TRY(tx_.query("UPDATE vouchers SET deleted_at = ? WHERE " + s.where() +
                       " AND campaign_id = ? AND deleted_at IS NULL",
                   params));
  tx_.catalog_changed(scope.project_id);
  return {};
}

Status CampaignRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  // Its rule assignments go with it: the campaign's, its codes' and its tiers'.
  const std::string campaign(id);
  OP_TRY(
      tx_.query("DELETE FROM validation_rule_assignments WHERE " + s.where() +
                    " AND (related_object_id = ? OR related_object_id IN (SELECT id FROM"
                    " vouchers WHERE project_id = ? AND campaign_id = ?) OR related_object_id IN"
                    " (SELECT id FROM promotion_tiers WHERE project_id = ? AND campaign_id = ?))",
                s.params({campaign, s.project_id(), campaign, s.project_id(), campaign})));
  for (const char* table : {"vouchers", "promotion_stacks", "promotion_tiers"}) {
    OP_TRY(tx_.query(
        "DELETE FROM " + std::string(table) + " WHERE " + s.where() + " AND campaign_id = ?",
        s.params({std::string(id)})));
  }
  OP_ASSIGN(auto deleted, tx_.query("DELETE FROM campaigns WHERE " + s.where() + " AND id = ?",
                                    s.params({std::string(id)})));
  if (deleted.affected == 0) return Error::not_found("campaign", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return {};
}

}  // namespace openpromo
