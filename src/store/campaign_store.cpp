// Store: campaigns.
#include <array>
#include <cstdint>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/store.h"

namespace openpromo {
namespace {

using sql::flag;
using sql::opt;

constexpr std::string_view kColumns =
    "id, project_id, name, description, campaign_type, mode, active, category_id, start_date,"
    " expiration_date, join_once, auto_join, use_voucher_metadata_schema, is_protected,"
    " creation_status, vouchers_generation_status, vouchers_count, definition, created_at,"
    " updated_at, deleted_at";

constexpr std::array<sql::ListField, 9> kListFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"campaign_type", "campaign_type", sql::FieldType::kText, false},
    {"type", "mode", sql::FieldType::kText, false},
    {"active", "active", sql::FieldType::kBoolean, false},
    {"category_id", "category_id", sql::FieldType::kText, false},
    {"creation_status", "creation_status", sql::FieldType::kText, false},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
    {"updated_at", "COALESCE(updated_at, created_at)", sql::FieldType::kTimestamp, true},
}};

// Binned campaigns are invisible to lists: the view-like table expression filters them.
constexpr sql::ListTable kTable{"campaigns", kColumns, kListFields, "deleted_at IS NULL"};

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
  c.definition = sql::json_object(r, 17);
  c.created_at = Instant{r.integer(18)};
  c.updated_at = sql::opt_time(r, 19);
  c.deleted_at = sql::opt_time(r, 20);
  return c;
}

std::vector<sql::Value> values_of(const Campaign& c) {
  return {c.id,
          c.project_id,
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

Status Store::insert_campaign(const Campaign& c) {
  OP_ASSIGN(auto lease, db_->acquire());
  const auto values = values_of(c);
  auto r =
      lease->query("INSERT INTO campaigns (" + std::string(kColumns) +
                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   values);
  if (!r.ok()) return map_write_error(std::move(r).take_error(), c);
  return {};
}

Result<std::optional<Campaign>> Store::find_campaign(std::string_view project_id,
                                                     std::string_view id_or_name,
                                                     bool include_binned) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs,
            lease->query("SELECT " + std::string(kColumns) +
                             " FROM campaigns WHERE project_id = ? AND (id = ? OR name = ?)" +
                             (include_binned ? "" : " AND deleted_at IS NULL") +
                             " ORDER BY (id = ?) DESC LIMIT 1",
                         {std::string(project_id), std::string(id_or_name), std::string(id_or_name),
                          std::string(id_or_name)}));
  if (rs.rows.empty()) return std::optional<Campaign>{};
  return std::optional<Campaign>(from_row(rs.rows[0]));
}

Status Store::set_campaign_active(std::string_view project_id, std::string_view id, bool active,
                                  Instant now) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto r,
            lease->query("UPDATE campaigns SET active = ?, updated_at = ? WHERE"
                         " project_id = ? AND id = ? AND deleted_at IS NULL",
                         {flag(active), now.millis, std::string(project_id), std::string(id)}));
  if (r.affected == 0) return Error::not_found("campaign", std::string(id));
  return {};
}

Result<Page<Campaign>> Store::list_campaigns(std::string_view project_id, const ListQuery& query) {
  return sql::list_page<Campaign>(*db_, kTable, project_id, query, from_row);
}

Status Store::update_campaign(const Campaign& c) {
  OP_ASSIGN(auto lease, db_->acquire());
  // Counters and generation status are not written here: jobs change them with their own
  // statements, so an edit during generation never rolls them back.
  auto r = lease->query(
      "UPDATE campaigns SET description = ?, active = ?, category_id = ?, start_date = ?,"
      " expiration_date = ?, join_once = ?, auto_join = ?, use_voucher_metadata_schema = ?,"
      " is_protected = ?, definition = ?, updated_at = ? WHERE project_id = ? AND id = ?"
      " AND deleted_at IS NULL",
      {opt(c.description), flag(c.active), opt(c.category_id), opt(c.start_date),
       opt(c.expiration_date), flag(c.join_once), flag(c.auto_join),
       flag(c.use_voucher_metadata_schema), flag(c.is_protected), to_json_text(c.definition),
       opt(c.updated_at), c.project_id, c.id});
  if (!r.ok()) return map_write_error(std::move(r).take_error(), c);
  if (r->affected == 0) return Error::not_found("campaign", c.id);
  return {};
}

Status Store::set_campaign_generation_status(std::string_view campaign_id,
                                             std::string_view status) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_TRY(lease->query(
      "UPDATE campaigns SET creation_status = ?, vouchers_generation_status = ? WHERE id = ?",
      {std::string(status), std::string(status), std::string(campaign_id)}));
  return {};
}

Status Store::increment_vouchers_count(std::string_view campaign_id, int64_t by) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_TRY(lease->query("UPDATE campaigns SET vouchers_count = vouchers_count + ? WHERE id = ?",
                      {by, std::string(campaign_id)}));
  return {};
}

Result<Store::VoucherCounts> Store::count_campaign_vouchers(std::string_view project_id,
                                                            std::string_view campaign_id,
                                                            std::optional<Instant> from,
                                                            std::optional<Instant> to) {
  OP_ASSIGN(auto lease, db_->acquire());
  const int64_t lo = from ? from->millis : INT64_MIN;
  const int64_t hi = to ? to->millis : INT64_MAX;
  OP_ASSIGN(auto rs,
            lease->query("SELECT"
                         " COALESCE(SUM(CASE WHEN created_at >= ? AND created_at < ? THEN 1 ELSE 0"
                         " END), 0),"
                         " COALESCE(SUM(CASE WHEN deleted_at >= ? AND deleted_at < ? THEN 1 ELSE 0"
                         " END), 0)"
                         " FROM vouchers WHERE project_id = ? AND campaign_id = ?",
                         {lo, hi, lo, hi, std::string(project_id), std::string(campaign_id)}));
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

Status Store::bin_campaign(std::string_view project_id, std::string_view id, Instant now) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Status {
    OP_ASSIGN(auto updated,
              conn.query("UPDATE campaigns SET deleted_at = ? WHERE project_id = ? AND id = ?"
                         " AND deleted_at IS NULL",
                         {now.millis, std::string(project_id), std::string(id)}));
    if (updated.affected == 0) return Error::not_found("campaign", std::string(id));
    OP_TRY(
        conn.query("UPDATE vouchers SET deleted_at = ? WHERE project_id = ? AND campaign_id = ?"
                   " AND deleted_at IS NULL",
                   {now.millis, std::string(project_id), std::string(id)}));
    return {};
  });
}

Status Store::delete_campaign_permanently(std::string_view project_id, std::string_view id) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Status {
    for (const char* table : {"vouchers", "promotion_stacks", "promotion_tiers"}) {
      OP_TRY(conn.query(
          "DELETE FROM " + std::string(table) + " WHERE project_id = ? AND campaign_id = ?",
          {std::string(project_id), std::string(id)}));
    }
    OP_ASSIGN(auto deleted, conn.query("DELETE FROM campaigns WHERE project_id = ? AND id = ?",
                                       {std::string(project_id), std::string(id)}));
    if (deleted.affected == 0) return Error::not_found("campaign", std::string(id));
    return {};
  });
}

}  // namespace openpromo
