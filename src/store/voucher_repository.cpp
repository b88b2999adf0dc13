#include "store/voucher_repository.h"

#include <algorithm>
#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

using sql::flag;
using sql::opt;

constexpr std::string_view kColumns =
    "id, project_id, code, campaign_id, category_id, type, active, start_date, expiration_date,"
    " redemption_quantity, redeemed_quantity, gift_amount, gift_balance, loyalty_points,"
    " loyalty_balance, holder_id, is_referral_code, publish_count, definition, created_at,"
    " updated_at, deleted_at";

constexpr std::array<sql::ListField, 14> kListFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"code", "code", sql::FieldType::kText, true},
    {"campaign_id", "campaign_id", sql::FieldType::kText, false},
    // The plural names the 3.x SDK's filters use (`filters[campaign_ids][conditions][$in]`).
    {"campaign_ids", "campaign_id", sql::FieldType::kText, false},
    {"category_id", "category_id", sql::FieldType::kText, false},
    {"category_ids", "category_id", sql::FieldType::kText, false},
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

constexpr sql::ListTable kTable{"vouchers", kColumns, kListFields, "deleted_at IS NULL",
                                "vouchers.campaign_id"};

// kColumns with every name prefixed by the table (for UPDATE ... FROM).
std::string qualified_columns() {
  std::string out;
  std::string_view rest = kColumns;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view name = rest.substr(0, comma);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    if (!out.empty()) out += ", ";
    out += "vouchers.";
    out += name;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

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
  v.definition = sql::json_definition(r, 18, v.unreadable);
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

// A live voucher leaving its campaign (to the bin or for good) leaves its vouchers_count too.
Status uncount(UnitOfWork& tx, const Scope& scope, const sql::ResultSet& removed) {
  if (removed.rows.empty() || removed.rows[0].is_null(0)) return {};
  const sql::Scoped s(scope);
  OP_TRY(tx.query("UPDATE campaigns SET vouchers_count = vouchers_count - 1 WHERE " + s.where() +
                      " AND id = ? AND vouchers_count > 0",
                  s.params({removed.rows[0].text(0)})));
  return {};
}

}  // namespace

Status VoucherRepository::insert(const Scope& scope, const Voucher& v, bool case_sensitive) {
  Voucher scoped = v;
  scoped.project_id = scope.project_id;
  const auto values = insert_values(scoped, case_sensitive);
  auto r = tx_.query(
      "INSERT INTO vouchers (" + std::string(kInsertColumns) + ") VALUES " + row_placeholders(),
      values);
  if (!r.ok()) return map_write_error(std::move(r).take_error(), v);
  return {};
}

Result<bool> VoucherRepository::insert_if_new(const Scope& scope, const Voucher& v,
                                              bool case_sensitive) {
  Voucher scoped = v;
  scoped.project_id = scope.project_id;
  const auto values = insert_values(scoped, case_sensitive);
  // ON CONFLICT DO NOTHING rather than a failed statement: on PostgreSQL a failed statement
  // aborts the whole transaction, and the caller wants to draw another code in it.
  auto r = tx_.query("INSERT INTO vouchers (" + std::string(kInsertColumns) + ") VALUES " +
                         row_placeholders() + " ON CONFLICT DO NOTHING",
                     values);
  if (!r.ok()) return map_write_error(std::move(r).take_error(), v);
  return r->affected == 1;
}

Result<int64_t> VoucherRepository::insert_batch(const Scope& scope,
                                                const std::vector<Voucher>& vouchers,
                                                bool case_sensitive) {
  // Rows per INSERT: large enough to amortise the statement, small enough for every driver's
  // parameter limit (23 x 400 = 9200).
  constexpr size_t kRowsPerStatement = 400;
  int64_t inserted = 0;
  for (size_t start = 0; start < vouchers.size(); start += kRowsPerStatement) {
    const size_t end = std::min(vouchers.size(), start + kRowsPerStatement);
    std::string sql = "INSERT INTO vouchers (" + std::string(kInsertColumns) + ") VALUES ";
    std::vector<sql::Value> params;
    params.reserve((end - start) * kInsertColumnCount);
    for (size_t i = start; i < end; ++i) {
      sql += i == start ? row_placeholders() : ", " + row_placeholders();
      Voucher v = vouchers[i];
      v.project_id = scope.project_id;
      auto values = insert_values(v, case_sensitive);
      std::move(values.begin(), values.end(), std::back_inserter(params));
    }
    // A code that collides with an existing one (any campaign, the bin included) is skipped;
    // the job draws again for it.
    sql += " ON CONFLICT DO NOTHING";
    OP_ASSIGN(auto r, tx_.query(sql, params));
    inserted += r.affected;
  }
  return inserted;
}

namespace {

// A restricted caller's lookup found a voucher of a campaign it does not see: 403 naming the
// campaign (spec 14.3), or the voucher when it belongs to none (no assignment reaches it).
Status check_access(const Scope& scope, const sql::Row& row, const Voucher& v) {
  if (!scope.restricted) return {};
  if (row.integer(row.columns.size() - 1) == 1) return {};
  if (v.campaign_id) return Error::forbidden("campaign", *v.campaign_id);
  return Error::forbidden("voucher", v.id);
}

}  // namespace

Result<std::optional<Voucher>> VoucherRepository::find(const Scope& scope,
                                                       std::string_view code_or_id,
                                                       bool case_sensitive) {
  const sql::Scoped s(scope);
  sql::Predicate access = sql::access_columns(scope, "vouchers.campaign_id", /*ownership=*/false);
  std::vector<sql::Value> params = std::move(access.params);
  s.bind(params);
  params.emplace_back(code_key(code_or_id, case_sensitive));
  params.emplace_back(std::string(code_or_id));
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + access.sql +
                                   " FROM vouchers WHERE " + s.where() +
                                   " AND (code_key = ? OR id = ?) AND deleted_at IS NULL LIMIT 1",
                               params));
  if (rs.rows.empty()) return std::optional<Voucher>{};
  Voucher v = from_row(rs.rows[0]);
  OP_TRY(check_access(scope, rs.rows[0], v));
  return std::optional<Voucher>(std::move(v));
}

Result<std::optional<VoucherRepository::WithReserved>> VoucherRepository::find_reserved(
    const Scope& scope, std::string_view code_or_id, bool case_sensitive, Instant now,
    const std::optional<std::string>& except_session) {
  const sql::Scoped s(scope);
  // Active reservations of other sessions, summed by correlated subqueries on the
  // (voucher_id, expires_at) index.
  constexpr std::string_view kHeld =
      " FROM session_locks l WHERE l.project_id = vouchers.project_id AND"
      " l.voucher_id = vouchers.id AND l.expires_at > ? AND l.session_key <> ?)";
  const std::string except = except_session ? *except_session : std::string();
  sql::Predicate access = sql::access_columns(scope, "vouchers.campaign_id", /*ownership=*/false);
  std::vector<sql::Value> params{now.millis, except, now.millis, except};
  for (sql::Value& v : access.params) params.push_back(std::move(v));
  s.bind(params);
  params.emplace_back(code_key(code_or_id, case_sensitive));
  params.emplace_back(std::string(code_or_id));
  OP_ASSIGN(
      auto rs,
      tx_.query("SELECT " + std::string(kColumns) +
                    ", (SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT)" + std::string(kHeld) +
                    ", (SELECT CAST(COALESCE(SUM(l.gift_credits), 0) AS BIGINT)" +
                    std::string(kHeld) + access.sql + " FROM vouchers WHERE " + s.where() +
                    " AND (code_key = ? OR id = ?) AND deleted_at IS NULL LIMIT 1",
                params));
  if (rs.rows.empty()) return std::optional<WithReserved>{};
  const sql::Row& row = rs.rows[0];
  Voucher v = from_row(row);
  OP_TRY(check_access(scope, row, v));
  // The two sums come right before the visibility column (when there is one).
  const size_t n = row.columns.size() - (scope.restricted ? 1 : 0);
  WithReserved out{std::move(v), Reserved{row.integer(n - 2), row.integer(n - 1)}};
  return std::optional<WithReserved>(std::move(out));
}

Result<std::vector<Voucher>> VoucherRepository::held_by(const Scope& scope,
                                                        std::string_view holder_id, int64_t limit) {
  const auto s = sql::Scoped::campaign_rows(scope, "vouchers.campaign_id");
  OP_ASSIGN(auto rs,
            tx_.query("SELECT " + std::string(kColumns) + " FROM vouchers WHERE " + s.where() +
                          " AND holder_id = ? AND deleted_at IS NULL ORDER BY id LIMIT ?",
                      s.params({std::string(holder_id), limit})));
  std::vector<Voucher> out;
  out.reserve(rs.rows.size());
  for (const auto& r : rs.rows) out.push_back(from_row(r));
  return out;
}

Result<std::optional<Voucher>> VoucherRepository::lock(const Scope& scope, std::string_view id) {
  const auto s = sql::Scoped::campaign_rows(scope, "vouchers.campaign_id");
  OP_ASSIGN(auto rs, tx_.query("UPDATE vouchers SET redeemed_quantity = redeemed_quantity WHERE " +
                                   s.where() + " AND id = ? AND deleted_at IS NULL RETURNING " +
                                   std::string(kColumns),
                               s.params({std::string(id)})));
  if (rs.rows.empty()) return std::optional<Voucher>{};
  return std::optional<Voucher>(from_row(rs.rows[0]));
}

Result<std::vector<Voucher>> VoucherRepository::claim_unpublished(
    const Scope& scope, std::string_view campaign_id, std::string_view holder_id, int64_t count,
    std::optional<Instant> expires, Instant now, std::string_view after_id) {
  const sql::Scoped s(scope);
  // PostgreSQL: codes another unit is claiming are skipped instead of waited for (and then found
  // taken), picked once in a materialised CTE (as `id IN (subquery ... SKIP LOCKED)` the
  // subquery may run again per row and pick more than `count`). SQLite has no row locks and
  // needs none (one writer at a time).
  const std::string set =
      "holder_id = ?, publish_count = publish_count + 1,"
      " expiration_date = COALESCE(?, expiration_date), updated_at = ?";
  const std::string pick = "SELECT id FROM vouchers WHERE " + s.where() +
                           " AND campaign_id = ? AND holder_id IS NULL AND active = 1 AND"
                           " deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?";
  const bool postgres = tx_.dialect() == "postgresql";
  const std::string sql =
      postgres ? "WITH picked AS MATERIALIZED (" + pick +
                     " FOR UPDATE SKIP LOCKED) UPDATE vouchers SET " + set +
                     " FROM picked WHERE vouchers.id = picked.id RETURNING " + qualified_columns()
               : "UPDATE vouchers SET " + set + " WHERE id IN (" + pick +
                     ") AND holder_id IS NULL RETURNING " + std::string(kColumns);
  std::vector<sql::Value> params;
  if (postgres) {
    s.bind(params);
    params.emplace_back(std::string(campaign_id));
    params.emplace_back(std::string(after_id));
    params.emplace_back(count);
    params.emplace_back(std::string(holder_id));
    params.emplace_back(sql::opt(expires));
    params.emplace_back(now.millis);
  } else {
    params = {std::string(holder_id), sql::opt(expires), now.millis};
    s.bind(params);
    params.emplace_back(std::string(campaign_id));
    params.emplace_back(std::string(after_id));
    params.emplace_back(count);
  }
  OP_ASSIGN(auto rs, tx_.query(sql, params));
  std::vector<Voucher> out;
  for (const auto& r : rs.rows) out.push_back(from_row(r));
  std::sort(out.begin(), out.end(), [](const Voucher& a, const Voucher& b) { return a.id < b.id; });
  return out;
}

Result<std::optional<Voucher>> VoucherRepository::publish(const Scope& scope, std::string_view id,
                                                          std::string_view holder_id,
                                                          std::optional<Instant> expires,
                                                          Instant now) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{std::string(holder_id), sql::opt(expires), now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_ASSIGN(auto rs,
            tx_.query("UPDATE vouchers SET holder_id = ?, publish_count = publish_count + 1,"
                      " expiration_date = COALESCE(?, expiration_date), updated_at = ?"
                      " WHERE " +
                          s.where() +
                          " AND id = ? AND holder_id IS NULL AND deleted_at IS NULL"
                          " RETURNING " +
                          std::string(kColumns),
                      params));
  if (rs.rows.empty()) return std::optional<Voucher>{};
  return std::optional<Voucher>(from_row(rs.rows[0]));
}

Status VoucherRepository::follow_campaign(const Scope& scope, std::string_view campaign_id,
                                          bool dates, bool category,
                                          const std::optional<std::string>& previous_category,
                                          std::optional<Instant> start_date,
                                          std::optional<Instant> expiration_date,
                                          const std::optional<std::string>& category_id,
                                          Instant now) {
  const sql::Scoped s(scope);
  const std::string untouched =
      " AND campaign_id = ? AND holder_id IS NULL AND"
      " redeemed_quantity = 0 AND deleted_at IS NULL";
  std::vector<sql::Value> params{opt(start_date), opt(expiration_date), now.millis};
  s.bind(params);
  params.emplace_back(std::string(campaign_id));
  if (dates) {
    OP_TRY(
        tx_.query("UPDATE vouchers SET start_date = ?, expiration_date = ?, updated_at = ? WHERE " +
                      s.where() + untouched,
                  params));
  }
  if (!category) return {};
  params = {opt(category_id), now.millis};
  s.bind(params);
  params.emplace_back(std::string(campaign_id));
  params.emplace_back(previous_category.value_or(""));
  OP_TRY(tx_.query("UPDATE vouchers SET category_id = ?, updated_at = ? WHERE " + s.where() +
                       untouched + " AND COALESCE(category_id, '') = ?",
                   params));
  return {};
}

Status VoucherRepository::keep_inherited_part(const Scope& scope, std::string_view campaign_id,
                                              std::string_view key, const Json& previous,
                                              Instant now) {
  // `key` comes from the service's fixed list of inherited parts, never from a request.
  const std::string k(key);
  const bool sqlite = tx_.dialect() == "sqlite";
  const std::string set =
      sqlite ? "json_set(definition, '$." + k + "', json(?))"
             : "(definition::jsonb || jsonb_build_object('" + k + "', ?::jsonb))::text";
  const std::string lacks = sqlite ? "json_type(definition, '$." + k + "') IS NULL"
                                   : "NOT jsonb_exists(definition::jsonb, '" + k + "')";
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{to_json_text(previous), now.millis};
  s.bind(params);
  params.emplace_back(std::string(campaign_id));
  OP_TRY(tx_.query("UPDATE vouchers SET definition = " + set + ", updated_at = ? WHERE " +
                       s.where() +
                       " AND campaign_id = ? AND (holder_id IS NOT NULL OR redeemed_quantity > 0)"
                       " AND deleted_at IS NULL AND " +
                       lacks,
                   params));
  return {};
}

Result<std::vector<std::string>> VoucherRepository::holders_in_campaign(
    const Scope& scope, std::string_view campaign_id, const std::vector<std::string>& holder_ids) {
  std::vector<std::string> out;
  if (holder_ids.empty()) return out;
  const sql::Scoped s(scope);
  std::vector<sql::Value> params = s.params({std::string(campaign_id)});
  std::string in;
  for (const std::string& id : holder_ids) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(id);
  }
  OP_ASSIGN(auto rs, tx_.query("SELECT DISTINCT holder_id FROM vouchers WHERE " + s.where() +
                                   " AND campaign_id = ? AND holder_id IN (" + in +
                                   ") AND deleted_at IS NULL",
                               params));
  for (const auto& row : rs.rows) out.push_back(row.text(0));
  return out;
}

Result<std::vector<Voucher>> VoucherRepository::held_in_campaign(const Scope& scope,
                                                                 std::string_view holder_id,
                                                                 std::string_view campaign_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs,
            tx_.query("SELECT " + std::string(kColumns) + " FROM vouchers WHERE " + s.where() +
                          " AND holder_id = ? AND campaign_id = ? AND deleted_at IS NULL",
                      s.params({std::string(holder_id), std::string(campaign_id)})));
  // Sorted here: with ORDER BY id in the query, SQLite's planner picks the campaign's
  // (campaign_id, id) index for the order and reads every code of the campaign.
  std::vector<Voucher> out;
  for (const auto& r : rs.rows) out.push_back(from_row(r));
  std::sort(out.begin(), out.end(), [](const Voucher& a, const Voucher& b) { return a.id < b.id; });
  return out;
}

Result<bool> VoucherRepository::redeem(const Scope& scope, std::string_view id, int64_t reserved,
                                       Instant now) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  params.emplace_back(reserved);
  OP_ASSIGN(auto r, tx_.query("UPDATE vouchers SET redeemed_quantity = redeemed_quantity + 1,"
                              " updated_at = ? WHERE " +
                                  s.where() +
                                  " AND id = ? AND deleted_at IS NULL AND (redemption_quantity IS"
                                  " NULL OR redeemed_quantity + 1 + ? <= redemption_quantity)",
                              params));
  return r.affected == 1;
}

Status VoucherRepository::unredeem(const Scope& scope, std::string_view id, Instant now) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_TRY(
      tx_.query("UPDATE vouchers SET redeemed_quantity = redeemed_quantity - 1, updated_at = ?"
                " WHERE " +
                    s.where() + " AND id = ? AND redeemed_quantity > 0",
                params));
  return {};
}

Result<Page<Voucher>> VoucherRepository::list(const Scope& scope, const ListQuery& query) {
  return sql::list_page<Voucher>(tx_, kTable, scope, query, from_row);
}

Status VoucherRepository::update(const Scope& scope, const Voucher& v) {
  // Counters (redeemed_quantity, balances, publish_count) are not written here: only guarded
  // updates change them.
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{opt(v.category_id),         flag(v.active),
                                 opt(v.start_date),          opt(v.expiration_date),
                                 opt(v.redemption_quantity), opt(v.holder_id),
                                 to_json_text(v.definition), opt(v.updated_at)};
  s.bind(params);
  params.emplace_back(v.id);
  auto r = tx_.query(
      "UPDATE vouchers SET category_id = ?, active = ?, start_date = ?, expiration_date = ?,"
      " redemption_quantity = ?, holder_id = ?, definition = ?, updated_at = ? WHERE " +
          s.where() + " AND id = ? AND deleted_at IS NULL",
      params);
  if (!r.ok()) return map_write_error(std::move(r).take_error(), v);
  if (r->affected == 0) return Error::not_found("voucher", v.code);
  return {};
}

Status VoucherRepository::set_active(const Scope& scope, std::string_view id, bool active,
                                     Instant now) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{flag(active), now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_ASSIGN(auto r, tx_.query("UPDATE vouchers SET active = ?, updated_at = ? WHERE " + s.where() +
                                  " AND id = ? AND deleted_at IS NULL",
                              params));
  if (r.affected == 0) return Error::not_found("voucher", std::string(id));
  return {};
}

Status VoucherRepository::bin(const Scope& scope, std::string_view id, Instant now) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_ASSIGN(auto r, tx_.query("UPDATE vouchers SET deleted_at = ? WHERE " + s.where() +
                                  " AND id = ? AND deleted_at IS NULL RETURNING campaign_id",
                              params));
  if (r.rows.empty()) return Error::not_found("voucher", std::string(id));
  return uncount(tx_, scope, r);
}

Status VoucherRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_TRY(tx_.query(
      "DELETE FROM validation_rule_assignments WHERE " + s.where() + " AND related_object_id = ?",
      s.params({std::string(id)})));
  OP_ASSIGN(auto r, tx_.query("DELETE FROM vouchers WHERE " + s.where() +
                                  " AND id = ? RETURNING campaign_id, deleted_at",
                              s.params({std::string(id)})));
  if (r.rows.empty()) return Error::not_found("voucher", std::string(id));
  if (!r.rows[0].is_null(1)) return {};  // already uncounted when it went to the bin
  return uncount(tx_, scope, r);
}

Result<Voucher> VoucherRepository::adjust_gift_balance(const Scope& scope,
                                                       std::string_view voucher_id,
                                                       VoucherTransaction t, int64_t keep,
                                                       bool refund) {
  // One guarded statement: concurrent adjustments serialise on the row and the guard is checked
  // against the latest committed balance.
  const sql::Scoped s(scope);
  const int64_t amount = t.amount;
  std::vector<sql::Value> params{amount, refund ? int64_t{0} : std::max<int64_t>(amount, 0),
                                 t.created_at.millis};
  s.bind(params);
  params.emplace_back(std::string(voucher_id));
  params.emplace_back(amount);
  params.emplace_back(keep);
  OP_ASSIGN(auto r,
            tx_.query("UPDATE vouchers SET gift_balance = gift_balance + ?,"
                      " gift_amount = gift_amount + ?, updated_at = ? WHERE " +
                          s.where() +
                          " AND id = ? AND deleted_at IS NULL AND gift_balance IS NOT NULL AND"
                          " gift_balance + ? >= ? RETURNING " +
                          std::string(kColumns),
                      params));
  if (r.rows.empty()) {
    return Error{400,
                 "invalid_add_balance_params",
                 "Invalid add balance params",
                 "The balance cannot go below zero",
                 std::string(voucher_id),
                 "voucher"};
  }
  Voucher v = from_row(r.rows[0]);
  t.project_id = scope.project_id;
  t.voucher_id = v.id;
  t.campaign_id = v.campaign_id;
  t.balance_after = v.gift_balance.value_or(0);
  t.total_after = v.gift_amount.value_or(0);
  OP_TRY(tx_.query(
      "INSERT INTO voucher_transactions (id, project_id, voucher_id, campaign_id, source_id,"
      " source, reason, type, amount, balance_after, total_after, related_transaction_id,"
      " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {t.id, t.project_id, t.voucher_id, opt(t.campaign_id), opt(t.source_id), opt(t.source),
       opt(t.reason), t.type, t.amount, t.balance_after, t.total_after,
       opt(t.related_transaction_id), t.created_at.millis}));
  return v;
}

Result<Page<VoucherTransaction>> VoucherRepository::campaign_transactions(
    const Scope& scope, std::string_view campaign_id, const ListQuery& query) {
  return transactions_where(scope, "campaign_id", campaign_id, query);
}

Result<Page<VoucherTransaction>> VoucherRepository::transactions(const Scope& scope,
                                                                 std::string_view voucher_id,
                                                                 const ListQuery& query) {
  return transactions_where(scope, "voucher_id", voucher_id, query);
}

Result<Page<VoucherTransaction>> VoucherRepository::transactions_where(const Scope& scope,
                                                                       std::string_view field,
                                                                       std::string_view value,
                                                                       const ListQuery& query) {
  ListQuery q = query;
  q.required.push_back(FilterCondition{std::string(field), FilterOp::kIs, {std::string(value)}});
  return all_transactions(scope, q);
}

Result<Page<VoucherTransaction>> VoucherRepository::all_transactions(const Scope& scope,
                                                                     const ListQuery& query) {
  static constexpr std::string_view kTxColumns =
      "id, project_id, voucher_id, campaign_id, source_id, source, reason, type, amount,"
      " balance_after, total_after, related_transaction_id, created_at";
  static constexpr std::array<sql::ListField, 5> kTxFields{{
      {"id", "id", sql::FieldType::kText, true},
      {"voucher_id", "voucher_id", sql::FieldType::kText, false},
      {"campaign_id", "campaign_id", sql::FieldType::kText, false},
      {"type", "type", sql::FieldType::kText, false},
      {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
  }};
  static constexpr sql::ListTable kTxTable{"voucher_transactions", kTxColumns, kTxFields};
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
  return sql::list_page<VoucherTransaction>(tx_, kTxTable, scope, query, decode);
}

}  // namespace openpromo
