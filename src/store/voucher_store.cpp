// Store: vouchers.
#include <algorithm>
#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/store.h"

namespace openpromo {
namespace {

using sql::flag;
using sql::opt;

constexpr std::string_view kColumns =
    "id, project_id, code, campaign_id, category_id, type, active, start_date, expiration_date,"
    " redemption_quantity, redeemed_quantity, gift_amount, gift_balance, loyalty_points,"
    " loyalty_balance, holder_id, is_referral_code, publish_count, definition, created_at,"
    " updated_at, deleted_at";

constexpr std::array<sql::ListField, 12> kListFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"code", "code", sql::FieldType::kText, true},
    {"campaign_id", "campaign_id", sql::FieldType::kText, false},
    {"category_id", "category_id", sql::FieldType::kText, false},
    {"type", "type", sql::FieldType::kText, false},
    {"active", "active", sql::FieldType::kBoolean, false},
    {"holder_id", "holder_id", sql::FieldType::kText, false},
    {"is_referral_code", "is_referral_code", sql::FieldType::kBoolean, false},
    {"start_date", "start_date", sql::FieldType::kTimestamp, false},
    {"expiration_date", "expiration_date", sql::FieldType::kTimestamp, false},
    // Creation order is id order (ids are time-ordered), which the indexes already hold;
    // created_at filters still read the column.
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
    {"updated_at", "COALESCE(updated_at, created_at)", sql::FieldType::kTimestamp, true},
}};

constexpr sql::ListTable kTable{"vouchers", kColumns, kListFields, "deleted_at IS NULL"};

Voucher from_row(const sql::Row& r) {
  Voucher v;
  v.id = r.text(0);
  v.project_id = r.text(1);
  v.code = r.text(2);
  v.campaign_id = sql::opt_text(r, 3);
  v.category_id = sql::opt_text(r, 4);
  v.type = voucher_type_from_string(r.text(5)).value_or(VoucherType::kDiscount);
  v.active = r.integer(6) != 0;
  v.start_date = sql::opt_time(r, 7);
  v.expiration_date = sql::opt_time(r, 8);
  v.redemption_quantity = sql::opt_int(r, 9);
  v.redeemed_quantity = r.integer(10);
  v.gift_amount = sql::opt_int(r, 11);
  v.gift_balance = sql::opt_int(r, 12);
  v.loyalty_points = sql::opt_int(r, 13);
  v.loyalty_balance = sql::opt_int(r, 14);
  v.holder_id = sql::opt_text(r, 15);
  v.is_referral_code = r.integer(16) != 0;
  v.publish_count = r.integer(17);
  v.definition = sql::json_object(r, 18);
  v.created_at = Instant{r.integer(19)};
  v.updated_at = sql::opt_time(r, 20);
  v.deleted_at = sql::opt_time(r, 21);
  return v;
}

// Column values in kColumns order, with code_key inserted after code for INSERTs.
std::vector<sql::Value> insert_values(const Voucher& v, bool case_sensitive) {
  return {v.id,
          v.project_id,
          v.code,
          code_key(v.code, case_sensitive),
          opt(v.campaign_id),
          opt(v.category_id),
          std::string(to_string(v.type)),
          flag(v.active),
          opt(v.start_date),
          opt(v.expiration_date),
          opt(v.redemption_quantity),
          v.redeemed_quantity,
          opt(v.gift_amount),
          opt(v.gift_balance),
          opt(v.loyalty_points),
          opt(v.loyalty_balance),
          opt(v.holder_id),
          flag(v.is_referral_code),
          v.publish_count,
          to_json_text(v.definition),
          v.created_at.millis,
          opt(v.updated_at),
          opt(v.deleted_at)};
}

constexpr std::string_view kInsertColumns =
    "id, project_id, code, code_key, campaign_id, category_id, type, active, start_date,"
    " expiration_date, redemption_quantity, redeemed_quantity, gift_amount, gift_balance,"
    " loyalty_points, loyalty_balance, holder_id, is_referral_code, publish_count, definition,"
    " created_at, updated_at, deleted_at";
constexpr size_t kInsertColumnCount = 23;

std::string row_placeholders() {
  std::string p = "(";
  for (size_t i = 0; i < kInsertColumnCount; ++i) p += i ? ", ?" : "?";
  return p + ")";
}

Error map_write_error(Error e, const Voucher& v) {
  if (e.key == sql::kUniqueViolation) {
    return Error::duplicate_found("voucher", "A voucher with code '" + v.code + "' already exists");
  }
  if (e.key == sql::kForeignKeyViolation) {
    return Error::invalid_payload("campaign or category does not exist in this project");
  }
  return e;
}

}  // namespace

Status Store::insert_voucher(const Voucher& v, bool case_sensitive) {
  OP_ASSIGN(auto lease, db_->acquire());
  const auto values = insert_values(v, case_sensitive);
  auto r = lease->query(
      "INSERT INTO vouchers (" + std::string(kInsertColumns) + ") VALUES " + row_placeholders(),
      values);
  if (!r.ok()) return map_write_error(std::move(r).take_error(), v);
  return {};
}

Result<std::optional<Voucher>> Store::find_voucher(std::string_view project_id,
                                                   std::string_view code_or_id,
                                                   bool case_sensitive) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(kColumns) +
                                      " FROM vouchers WHERE project_id = ? AND (code_key = ? OR"
                                      " id = ?) AND deleted_at IS NULL LIMIT 1",
                                  {std::string(project_id), code_key(code_or_id, case_sensitive),
                                   std::string(code_or_id)}));
  if (rs.rows.empty()) return std::optional<Voucher>{};
  return std::optional<Voucher>(from_row(rs.rows[0]));
}

Result<Page<Voucher>> Store::list_vouchers(std::string_view project_id, const ListQuery& query) {
  return sql::list_page<Voucher>(*db_, kTable, project_id, query, from_row);
}

Status Store::update_voucher(const Voucher& v) {
  OP_ASSIGN(auto lease, db_->acquire());
  // Counters (redeemed_quantity, balances, publish_count) are not written here: only guarded
  // updates change them.
  auto r = lease->query(
      "UPDATE vouchers SET category_id = ?, active = ?, start_date = ?, expiration_date = ?,"
      " redemption_quantity = ?, holder_id = ?, definition = ?, updated_at = ?"
      " WHERE project_id = ? AND id = ? AND deleted_at IS NULL",
      {opt(v.category_id), flag(v.active), opt(v.start_date), opt(v.expiration_date),
       opt(v.redemption_quantity), opt(v.holder_id), to_json_text(v.definition), opt(v.updated_at),
       v.project_id, v.id});
  if (!r.ok()) return map_write_error(std::move(r).take_error(), v);
  if (r->affected == 0) return Error::not_found("voucher", v.code);
  return {};
}

Status Store::set_voucher_active(std::string_view project_id, std::string_view id, bool active,
                                 Instant now) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto r,
            lease->query("UPDATE vouchers SET active = ?, updated_at = ? WHERE"
                         " project_id = ? AND id = ? AND deleted_at IS NULL",
                         {flag(active), now.millis, std::string(project_id), std::string(id)}));
  if (r.affected == 0) return Error::not_found("voucher", std::string(id));
  return {};
}

namespace {
// A live voucher leaving its campaign (to the bin or for good) leaves its vouchers_count too.
Status uncount(sql::Connection& conn, const sql::ResultSet& removed) {
  if (removed.rows.empty() || removed.rows[0].is_null(0)) return {};
  OP_TRY(
      conn.query("UPDATE campaigns SET vouchers_count = vouchers_count - 1"
                 " WHERE id = ? AND vouchers_count > 0",
                 {removed.rows[0].text(0)}));
  return {};
}
}  // namespace

Status Store::bin_voucher(std::string_view project_id, std::string_view id, Instant now) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Status {
    OP_ASSIGN(auto r, conn.query("UPDATE vouchers SET deleted_at = ? WHERE project_id = ? AND"
                                 " id = ? AND deleted_at IS NULL RETURNING campaign_id",
                                 {now.millis, std::string(project_id), std::string(id)}));
    if (r.rows.empty()) return Error::not_found("voucher", std::string(id));
    return uncount(conn, r);
  });
}

Status Store::delete_voucher_permanently(std::string_view project_id, std::string_view id) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Status {
    OP_ASSIGN(auto r, conn.query("DELETE FROM vouchers WHERE project_id = ? AND id = ?"
                                 " RETURNING campaign_id, deleted_at",
                                 {std::string(project_id), std::string(id)}));
    if (r.rows.empty()) return Error::not_found("voucher", std::string(id));
    if (!r.rows[0].is_null(1)) return {};  // already uncounted when it went to the bin
    return uncount(conn, r);
  });
}

Result<Voucher> Store::adjust_gift_balance(std::string_view project_id, std::string_view voucher_id,
                                           VoucherTransaction tx) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Result<Voucher> {
    // One guarded statement: concurrent adjustments serialise on the row and the guard is
    // checked against the latest committed balance.
    const int64_t amount = tx.amount;
    OP_ASSIGN(auto r,
              conn.query("UPDATE vouchers SET gift_balance = gift_balance + ?,"
                         " gift_amount = gift_amount + ?,"
                         " updated_at = ? WHERE project_id = ? AND id = ? AND deleted_at IS NULL"
                         " AND gift_balance IS NOT NULL AND gift_balance + ? >= 0 RETURNING " +
                             std::string(kColumns),
                         // Additions raise the amount too; removals only the balance.
                         {amount, std::max<int64_t>(amount, 0), tx.created_at.millis,
                          std::string(project_id), std::string(voucher_id), amount}));
    if (r.rows.empty()) {
      return Error{400,
                   "invalid_add_balance_params",
                   "Invalid add balance params",
                   "The balance cannot go below zero",
                   std::string(voucher_id),
                   "voucher"};
    }
    Voucher v = from_row(r.rows[0]);
    tx.project_id = std::string(project_id);
    tx.voucher_id = v.id;
    tx.campaign_id = v.campaign_id;
    tx.balance_after = v.gift_balance.value_or(0);
    tx.total_after = v.gift_amount.value_or(0);
    OP_TRY(conn.query(
        "INSERT INTO voucher_transactions (id, project_id, voucher_id, campaign_id, source_id,"
        " source, reason, type, amount, balance_after, total_after, related_transaction_id,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {tx.id, tx.project_id, tx.voucher_id, opt(tx.campaign_id), opt(tx.source_id),
         opt(tx.source), opt(tx.reason), tx.type, tx.amount, tx.balance_after, tx.total_after,
         opt(tx.related_transaction_id), tx.created_at.millis}));
    return v;
  });
}

Result<Page<VoucherTransaction>> Store::list_voucher_transactions(std::string_view project_id,
                                                                  std::string_view voucher_id,
                                                                  const ListQuery& query) {
  static constexpr std::string_view kTxColumns =
      "id, project_id, voucher_id, campaign_id, source_id, source, reason, type, amount,"
      " balance_after, total_after, related_transaction_id, created_at";
  static constexpr std::array<sql::ListField, 4> kTxFields{{
      {"id", "id", sql::FieldType::kText, true},
      {"voucher_id", "voucher_id", sql::FieldType::kText, false},
      {"type", "type", sql::FieldType::kText, false},
      {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
  }};
  static constexpr sql::ListTable kTxTable{"voucher_transactions", kTxColumns, kTxFields};
  ListQuery q = query;
  q.filters.push_back(FilterCondition{"voucher_id", FilterOp::kIs, {std::string(voucher_id)}});
  auto decode = [](const sql::Row& r) {
    VoucherTransaction t;
    t.id = r.text(0);
    t.project_id = r.text(1);
    t.voucher_id = r.text(2);
    t.campaign_id = sql::opt_text(r, 3);
    t.source_id = sql::opt_text(r, 4);
    t.source = sql::opt_text(r, 5);
    t.reason = sql::opt_text(r, 6);
    t.type = r.text(7);
    t.amount = r.integer(8);
    t.balance_after = r.integer(9);
    t.total_after = r.integer(10);
    t.related_transaction_id = sql::opt_text(r, 11);
    t.created_at = Instant{r.integer(12)};
    return t;
  };
  return sql::list_page<VoucherTransaction>(*db_, kTxTable, project_id, q, decode);
}

Result<int64_t> Store::commit_generated_vouchers(const std::vector<Voucher>& vouchers,
                                                 bool case_sensitive, std::string_view action_id,
                                                 std::string_view worker, int progress,
                                                 Instant lease_until, Instant now) {
  // Rows per INSERT: large enough to amortise the statement, small enough for every driver's
  // parameter limit (23 x 400 = 9200).
  constexpr size_t kRowsPerStatement = 400;
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Result<int64_t> {
    // First the guards, which also lock the rows they touch (on PostgreSQL): the action must
    // still be ours, and the campaign must still be live (binning or deleting it waits for this
    // batch, or this batch sees it gone).
    OP_ASSIGN(auto claim, conn.query("UPDATE async_actions SET lease_until = ?, updated_at = ?"
                                     " WHERE id = ? AND claimed_by = ?",
                                     {lease_until.millis, now.millis, std::string(action_id),
                                      std::string(worker)}));
    if (claim.affected == 0) {
      return Error{409,          "lease_lost",
                   "Lease lost", "another worker holds async action " + std::string(action_id),
                   {},           {}};
    }
    if (!vouchers.empty() && vouchers.front().campaign_id) {
      OP_ASSIGN(auto live, conn.query("UPDATE campaigns SET vouchers_count = vouchers_count"
                                      " WHERE id = ? AND deleted_at IS NULL",
                                      {*vouchers.front().campaign_id}));
      if (live.affected == 0) return Error::not_found("campaign", *vouchers.front().campaign_id);
    }
    int64_t inserted = 0;
    for (size_t start = 0; start < vouchers.size(); start += kRowsPerStatement) {
      const size_t end = std::min(vouchers.size(), start + kRowsPerStatement);
      std::string sql = "INSERT INTO vouchers (" + std::string(kInsertColumns) + ") VALUES ";
      std::vector<sql::Value> params;
      params.reserve((end - start) * kInsertColumnCount);
      for (size_t i = start; i < end; ++i) {
        sql += i == start ? row_placeholders() : ", " + row_placeholders();
        auto values = insert_values(vouchers[i], case_sensitive);
        std::move(values.begin(), values.end(), std::back_inserter(params));
      }
      // A code that collides with an existing one (any campaign, the bin included) is skipped;
      // the job draws again for it.
      sql += " ON CONFLICT DO NOTHING";
      OP_ASSIGN(auto r, conn.query(sql, params));
      inserted += r.affected;
    }
    if (!vouchers.empty() && vouchers.front().campaign_id) {
      OP_TRY(conn.query("UPDATE campaigns SET vouchers_count = vouchers_count + ? WHERE id = ?",
                        {inserted, *vouchers.front().campaign_id}));
    }
    OP_TRY(conn.query(
        "UPDATE async_actions SET done_count = done_count + ?, progress = ? WHERE id = ?",
        {inserted, int64_t{progress}, std::string(action_id)}));
    return inserted;
  });
}

}  // namespace openpromo
