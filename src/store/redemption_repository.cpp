#include "store/redemption_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

constexpr std::string_view kColumns =
    "id, project_id, parent_id, result, status, related_object_type, related_object_id,"
    " campaign_id, customer_id, order_id, api_key_id, session_key, tracking_id, gift_amount,"
    " discount_amount, order_amount, failure_code, failure_message, effects, document,"
    " created_at, rolled_back_at, area_store_id";

Redemption from_row(const sql::Row& r) {
  Redemption x;
  x.id = r.text(0);
  x.project_id = r.text(1);
  x.parent_id = sql::opt_text(r, 2);
  x.result = r.text(3);
  x.status = r.text(4);
  x.related_object_type = r.text(5);
  x.related_object_id = sql::opt_text(r, 6);
  x.campaign_id = sql::opt_text(r, 7);
  x.customer_id = sql::opt_text(r, 8);
  x.order_id = sql::opt_text(r, 9);
  x.api_key_id = sql::opt_text(r, 10);
  x.session_key = sql::opt_text(r, 11);
  x.tracking_id = sql::opt_text(r, 12);
  x.gift_amount = sql::opt_int(r, 13);
  x.discount_amount = r.integer(14);
  x.order_amount = r.integer(15);
  x.failure_code = sql::opt_text(r, 16);
  x.failure_message = sql::opt_text(r, 17);
  x.effects = sql::json_object(r, 18);
  x.document = sql::json_object(r, 19);
  x.created_at = Instant{r.integer(20)};
  x.rolled_back_at = sql::opt_time(r, 21);
  x.area_store_id = sql::opt_text(r, 22);
  return x;
}

constexpr std::string_view kRollbackColumns =
    "id, project_id, redemption_id, parent_id, result, related_object_type, campaign_id, reason,"
    " tracking_id, customer_id, gift_amount, discount_amount, order_amount, failure_code,"
    " document, created_at";

RedemptionRollback rollback_from_row(const sql::Row& r) {
  RedemptionRollback x;
  x.id = r.text(0);
  x.project_id = r.text(1);
  x.redemption_id = r.text(2);
  x.parent_id = sql::opt_text(r, 3);
  x.result = r.text(4);
  x.related_object_type = r.text(5);
  x.campaign_id = sql::opt_text(r, 6);
  x.reason = sql::opt_text(r, 7);
  x.tracking_id = sql::opt_text(r, 8);
  x.customer_id = sql::opt_text(r, 9);
  x.gift_amount = sql::opt_int(r, 10);
  x.discount_amount = r.integer(11);
  x.order_amount = r.integer(12);
  x.failure_code = sql::opt_text(r, 13);
  x.document = sql::json_object(r, 14);
  x.created_at = Instant{r.integer(15)};
  return x;
}

// The store a redemption's key spoke for, and that store's area (per-store reports).
constexpr std::string_view kAreaOfStore =
    "(SELECT st.area_id FROM area_stores st WHERE st.project_id = redemptions.project_id AND"
    " st.id = redemptions.area_store_id)";

constexpr std::array<sql::ListField, 12> kFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
    {"result", "result", sql::FieldType::kText, false},
    {"status", "status", sql::FieldType::kText, false},
    {"campaign_id", "campaign_id", sql::FieldType::kText, false},
    {"customer_id", "customer_id", sql::FieldType::kText, false},
    {"order_id", "order_id", sql::FieldType::kText, false},
    {"related_object_id", "related_object_id", sql::FieldType::kText, false},
    {"related_object_type", "related_object_type", sql::FieldType::kText, false},
    {"parent_id", "parent_id", sql::FieldType::kText, false},
    {"area_store_id", "area_store_id", sql::FieldType::kText, false},
    {"area_id", kAreaOfStore, sql::FieldType::kText, false},
}};
constexpr sql::ListTable kTable{
    "redemptions",       kColumns, kFields, {}, "redemptions.campaign_id",
    /*parent_rows=*/true};

constexpr std::string_view kCounterColumns =
    "row_key, count, customers, order_amount, discount_amount, gift_amount, day_period,"
    " day_count, day_customers, week_period, week_count, week_customers, month_period,"
    " month_count, month_customers";

UsageCounter counter_from_row(const sql::Row& r) {
  UsageCounter c;
  c.key = r.text(0);
  c.count = r.integer(1);
  c.customers = r.integer(2);
  c.order_amount = r.integer(3);
  c.discount_amount = r.integer(4);
  c.gift_amount = r.integer(5);
  c.day_period = r.integer(6);
  c.day_count = r.integer(7);
  c.day_customers = r.integer(8);
  c.week_period = r.integer(9);
  c.week_count = r.integer(10);
  c.week_customers = r.integer(11);
  c.month_period = r.integer(12);
  c.month_count = r.integer(13);
  c.month_customers = r.integer(14);
  return c;
}

// "?, ?, ..." for `n` values.
std::string placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

int64_t sum_or_zero(const sql::Row& r, size_t i) {
  return r.is_null(i) ? 0 : r.integer(i);
}

}  // namespace

// ---- redemptions --------------------------------------------------------------------------------

Status RedemptionRepository::insert(const Scope& scope, const Redemption& r) {
  OP_TRY(tx_.query(
      "INSERT INTO redemptions (id, project_id, parent_id, result, status, related_object_type,"
      " related_object_id, campaign_id, customer_id, order_id, api_key_id, session_key,"
      " tracking_id, gift_amount, discount_amount, order_amount, failure_code, failure_message,"
      " effects, document, created_at, rolled_back_at, area_store_id) VALUES (?, ?, ?, ?, ?, ?,"
      " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {r.id,
       scope.project_id,
       sql::opt(r.parent_id),
       r.result,
       r.status,
       r.related_object_type,
       sql::opt(r.related_object_id),
       sql::opt(r.campaign_id),
       sql::opt(r.customer_id),
       sql::opt(r.order_id),
       sql::opt(r.api_key_id),
       sql::opt(r.session_key),
       sql::opt(r.tracking_id),
       sql::opt(r.gift_amount),
       r.discount_amount,
       r.order_amount,
       sql::opt(r.failure_code),
       sql::opt(r.failure_message),
       to_json_text(r.effects),
       to_json_text(r.document),
       r.created_at.millis,
       sql::opt(r.rolled_back_at),
       sql::opt(r.area_store_id)}));
  return {};
}

Result<std::optional<Redemption>> RedemptionRepository::find(const Scope& scope,
                                                             std::string_view id) {
  // A restricted caller reads redemptions of campaigns it sees (a stacked redemption's parent
  // through its children); one it does not see is 403 naming the campaign, not 404.
  const auto s = sql::Scoped::campaign_rows(scope, "redemptions.campaign_id", {}, "redemptions");
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM redemptions WHERE " +
                                   s.where() + " AND id = ?",
                               s.params({std::string(id)})));
  if (rs.rows.empty() && scope.restricted) {
    OP_ASSIGN(auto other, find(scope.project_wide(), id));
    if (other) return Error::forbidden("campaign", other->campaign_id.value_or(other->id));
  }
  if (rs.rows.empty()) return std::optional<Redemption>{};
  return std::optional<Redemption>(from_row(rs.rows[0]));
}

Result<std::optional<Redemption>> RedemptionRepository::lock(const Scope& scope,
                                                             std::string_view id) {
  // A no-op UPDATE ... RETURNING reads the row and, on PostgreSQL, locks it until the unit ends;
  // a unit waiting on the lock reads the row as the holder committed it.
  const auto s = sql::Scoped::campaign_rows(scope, "redemptions.campaign_id", {}, "redemptions");
  OP_ASSIGN(auto rs, tx_.query("UPDATE redemptions SET status = status WHERE " + s.where() +
                                   " AND id = ? RETURNING " + std::string(kColumns),
                               s.params({std::string(id)})));
  if (rs.rows.empty() && scope.restricted) {
    OP_ASSIGN(auto other, find(scope.project_wide(), id));
    if (other) return Error::forbidden("campaign", other->campaign_id.value_or(other->id));
  }
  if (rs.rows.empty()) return std::optional<Redemption>{};
  return std::optional<Redemption>(from_row(rs.rows[0]));
}

Result<std::set<std::string>> RedemptionRepository::visible_ids(
    const Scope& scope, const std::vector<std::string>& ids) {
  std::set<std::string> out;
  if (ids.empty()) return out;
  const auto s = sql::Scoped::campaign_rows(scope, "redemptions.campaign_id", {}, "redemptions");
  std::vector<sql::Value> params = s.params();
  std::string in;
  for (const std::string& id : ids) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(id);
  }
  OP_ASSIGN(auto rs,
            tx_.query("SELECT id FROM redemptions WHERE " + s.where() + " AND id IN (" + in + ")",
                      params));
  for (const auto& row : rs.rows) out.insert(row.text(0));
  return out;
}

Result<std::vector<Redemption>> RedemptionRepository::children(const Scope& scope,
                                                               std::string_view parent_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM redemptions WHERE " +
                                   s.where() + " AND parent_id = ? ORDER BY created_at, id",
                               s.params({std::string(parent_id)})));
  std::vector<Redemption> out;
  out.reserve(rs.rows.size());
  for (const auto& r : rs.rows) out.push_back(from_row(r));
  return out;
}

Result<int64_t> RedemptionRepository::mark_rolled_back(const Scope& scope,
                                                       const std::vector<std::string>& ids,
                                                       Instant now) {
  if (ids.empty()) return int64_t{0};
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{now.millis};
  s.bind(params);
  for (const auto& id : ids) params.emplace_back(id);
  OP_ASSIGN(auto r, tx_.query("UPDATE redemptions SET status = 'ROLLED_BACK', rolled_back_at = ?"
                              " WHERE " +
                                  s.where() + " AND status = 'SUCCEEDED' AND id IN (" +
                                  placeholders(ids.size()) + ")",
                              params));
  return r.affected;
}

Result<Page<Redemption>> RedemptionRepository::list(const Scope& scope,
                                                    const RedemptionFilter& filter,
                                                    const ListQuery& query) {
  ListQuery q = query;
  auto is = [&](const char* field, const std::optional<std::string>& value) {
    if (value) q.required.push_back(FilterCondition{field, FilterOp::kIs, {*value}});
  };
  is("result", filter.result);
  is("campaign_id", filter.campaign_id);
  is("customer_id", filter.customer_id);
  is("order_id", filter.order_id);
  is("related_object_id", filter.related_object_id);
  is("area_store_id", filter.store.area_store_id);
  is("area_id", filter.store.area_id);
  if (filter.created_after) q.created_after = filter.created_after;
  if (filter.created_before) q.created_before = filter.created_before;
  return sql::list_page<Redemption>(tx_, kTable, scope, q, from_row);
}

Status RedemptionRepository::insert_rollback(const Scope& scope, const RedemptionRollback& r) {
  OP_TRY(tx_.query(
      "INSERT INTO redemption_rollbacks (id, project_id, redemption_id, parent_id, result,"
      " related_object_type, campaign_id, reason, tracking_id, customer_id, gift_amount,"
      " discount_amount, order_amount, failure_code, document, created_at) VALUES (?, ?, ?, ?,"
      " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {r.id, scope.project_id, r.redemption_id, sql::opt(r.parent_id), r.result,
       r.related_object_type, sql::opt(r.campaign_id), sql::opt(r.reason), sql::opt(r.tracking_id),
       sql::opt(r.customer_id), sql::opt(r.gift_amount), r.discount_amount, r.order_amount,
       sql::opt(r.failure_code), to_json_text(r.document), r.created_at.millis}));
  return {};
}

Result<std::optional<RedemptionRollback>> RedemptionRepository::find_rollback(const Scope& scope,
                                                                              std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kRollbackColumns) +
                                   " FROM redemption_rollbacks WHERE " + s.where() + " AND id = ?",
                               s.params({std::string(id)})));
  if (rs.rows.empty()) return std::optional<RedemptionRollback>{};
  return std::optional<RedemptionRollback>(rollback_from_row(rs.rows[0]));
}

Result<std::unordered_map<std::string, std::vector<RedemptionRollback>>>
RedemptionRepository::rollbacks_of(const Scope& scope,
                                   const std::vector<std::string>& redemption_ids) {
  std::unordered_map<std::string, std::vector<RedemptionRollback>> out;
  if (redemption_ids.empty()) return out;
  const sql::Scoped s(scope);
  std::vector<sql::Value> params;
  s.bind(params);
  for (const auto& id : redemption_ids) params.emplace_back(id);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kRollbackColumns) +
                                   " FROM redemption_rollbacks WHERE " + s.where() +
                                   " AND redemption_id IN (" + placeholders(redemption_ids.size()) +
                                   ") ORDER BY created_at, id",
                               params));
  for (const auto& r : rs.rows) {
    RedemptionRollback rb = rollback_from_row(r);
    out[rb.redemption_id].push_back(std::move(rb));
  }
  return out;
}

Result<CustomerRedemptionSummary> RedemptionRepository::customer_summary(
    const Scope& scope, std::string_view customer_id) {
  OP_ASSIGN(auto all, customer_summaries(scope, {std::string(customer_id)}));
  const auto it = all.find(std::string(customer_id));
  return it == all.end() ? CustomerRedemptionSummary{} : it->second;
}

Result<std::unordered_map<std::string, CustomerRedemptionSummary>>
RedemptionRepository::customer_summaries(const Scope& scope,
                                         const std::vector<std::string>& customer_ids) {
  std::unordered_map<std::string, CustomerRedemptionSummary> out;
  if (customer_ids.empty()) return out;
  const sql::Scoped s(scope);
  std::vector<sql::Value> params;
  s.bind(params);
  for (const auto& id : customer_ids) params.emplace_back(id);
  // Parents stand for their children: the counters count redeemables (children and singles).
  OP_ASSIGN(
      auto rs,
      tx_.query(
          "SELECT customer_id,"
          " CAST(COALESCE(SUM(CASE WHEN result = 'SUCCESS' THEN 1 ELSE 0 END), 0) AS BIGINT),"
          " CAST(COALESCE(SUM(CASE WHEN result = 'FAILURE' THEN 1 ELSE 0 END), 0) AS BIGINT),"
          " CAST(COALESCE(SUM(CASE WHEN status = 'ROLLED_BACK' THEN 1 ELSE 0 END), 0) AS BIGINT),"
          " CAST(COALESCE(SUM(CASE WHEN status = 'SUCCEEDED' THEN COALESCE(gift_amount, 0)"
          " ELSE 0 END), 0) AS BIGINT)"
          " FROM redemptions WHERE " +
              s.where() +
              " AND (related_object_type <> 'redemption' OR result = 'FAILURE') AND customer_id IN "
              "(" +
              placeholders(customer_ids.size()) + ") GROUP BY customer_id",
          params));
  for (const auto& r : rs.rows) {
    CustomerRedemptionSummary& c = out[r.text(0)];
    c.total_succeeded = sum_or_zero(r, 1);
    c.total_failed = sum_or_zero(r, 2);
    c.total_redeemed = c.total_succeeded + c.total_failed;
    c.total_rolled_back = sum_or_zero(r, 3);
    c.gift_redeemed_amount = sum_or_zero(r, 4);
  }
  OP_ASSIGN(
      auto rb,
      tx_.query("SELECT customer_id,"
                " CAST(COALESCE(SUM(CASE WHEN result = 'SUCCESS' THEN 1 ELSE 0 END), 0) AS BIGINT),"
                " CAST(COALESCE(SUM(CASE WHEN result = 'FAILURE' THEN 1 ELSE 0 END), 0) AS BIGINT)"
                " FROM redemption_rollbacks WHERE " +
                    s.where() + " AND related_object_type <> 'redemption' AND customer_id IN (" +
                    placeholders(customer_ids.size()) + ") GROUP BY customer_id",
                params));
  for (const auto& r : rb.rows) {
    CustomerRedemptionSummary& c = out[r.text(0)];
    c.total_rollback_succeeded = sum_or_zero(r, 1);
    c.total_rollback_failed = sum_or_zero(r, 2);
  }
  return out;
}

namespace {

std::vector<sql::Value> with(std::vector<sql::Value> a, const std::vector<sql::Value>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

Result<CampaignRedemptionSummary> RedemptionRepository::campaign_summary(
    const Scope& scope, std::string_view campaign_id, std::optional<Instant> from,
    std::optional<Instant> to, const StoreCut& cut) {
  const sql::Scoped s(scope);
  std::string range;
  std::vector<sql::Value> params = s.params({std::string(campaign_id)});
  // A store or area cut: redemptions whose key spoke for that store (rollbacks: of those).
  std::string store;
  std::vector<sql::Value> store_params;
  if (cut.area_store_id) {
    store += " AND r2.area_store_id = ?";
    store_params.emplace_back(*cut.area_store_id);
  }
  if (cut.area_id) {
    store +=
        " AND r2.area_store_id IN (SELECT st.id FROM area_stores st WHERE st.project_id ="
        " r2.project_id AND st.area_id = ?)";
    store_params.emplace_back(*cut.area_id);
  }
  if (from) {
    range += " AND created_at >= ?";
    params.emplace_back(from->millis);
  }
  if (to) {
    range += " AND created_at < ?";
    params.emplace_back(to->millis);
  }
  CampaignRedemptionSummary out;
  OP_ASSIGN(
      auto rs,
      tx_.query(
          "SELECT CAST(COALESCE(SUM(CASE WHEN result = 'SUCCESS' THEN 1 ELSE 0 END), 0) AS BIGINT),"
          " CAST(COALESCE(SUM(CASE WHEN result = 'FAILURE' THEN 1 ELSE 0 END), 0) AS BIGINT),"
          " CAST(COALESCE(SUM(CASE WHEN result = 'SUCCESS' THEN discount_amount ELSE 0 END), 0) AS "
          "BIGINT),"
          " CAST(COALESCE(SUM(CASE WHEN result = 'SUCCESS' THEN order_amount ELSE 0 END), 0) AS "
          "BIGINT)"
          " FROM redemptions WHERE " +
              s.where() + " AND campaign_id = ?" + range +
              (store.empty()
                   ? ""
                   : " AND id IN (SELECT r2.id FROM redemptions r2 WHERE 1 = 1" + store + ")"),
          with(params, store_params)));
  if (!rs.rows.empty()) {
    const sql::Row& r = rs.rows[0];
    out.redemptions_succeeded = sum_or_zero(r, 0);
    out.redemptions_failed = sum_or_zero(r, 1);
    out.discounted_amount = sum_or_zero(r, 2);
    out.orders_amount = sum_or_zero(r, 3);
  }
  OP_ASSIGN(
      auto rb,
      tx_.query(
          "SELECT CAST(COALESCE(SUM(CASE WHEN result = 'SUCCESS' THEN 1 ELSE 0 END), 0) AS BIGINT),"
          " CAST(COALESCE(SUM(CASE WHEN result = 'FAILURE' THEN 1 ELSE 0 END), 0) AS BIGINT),"
          " CAST(COALESCE(SUM(CASE WHEN result = 'SUCCESS' THEN discount_amount ELSE 0 END), 0) AS "
          "BIGINT),"
          " CAST(COALESCE(SUM(CASE WHEN result = 'SUCCESS' THEN order_amount ELSE 0 END), 0) AS "
          "BIGINT)"
          " FROM redemption_rollbacks WHERE " +
              s.where() + " AND campaign_id = ?" + range +
              (store.empty()
                   ? ""
                   : " AND redemption_id IN (SELECT r2.id FROM redemptions r2 WHERE 1 = 1" + store +
                         ")"),
          with(params, store_params)));
  if (!rb.rows.empty()) {
    const sql::Row& r = rb.rows[0];
    out.rollbacks_succeeded = sum_or_zero(r, 0);
    out.rollbacks_failed = sum_or_zero(r, 1);
    out.rolledback_discounted_amount = sum_or_zero(r, 2);
    out.orders_rolledback_amount = sum_or_zero(r, 3);
  }
  return out;
}

// ---- usage counters -----------------------------------------------------------------------------

Result<std::vector<UsageCounter>> UsageRepository::read(const Scope& scope,
                                                        const std::vector<std::string>& keys) {
  std::vector<UsageCounter> out;
  if (keys.empty()) return out;
  const sql::Scoped s(scope);
  std::vector<sql::Value> params;
  s.bind(params);
  for (const auto& k : keys) params.emplace_back(k);
  OP_ASSIGN(auto rs,
            tx_.query("SELECT " + std::string(kCounterColumns) + " FROM usage_counters WHERE " +
                          s.where() + " AND row_key IN (" + placeholders(keys.size()) + ")",
                      params));
  out.reserve(rs.rows.size());
  for (const auto& r : rs.rows) out.push_back(counter_from_row(r));
  return out;
}

Result<std::vector<UsageCounter>> UsageRepository::lock(const Scope& scope,
                                                        const std::vector<std::string>& keys) {
  std::vector<UsageCounter> out;
  if (keys.empty()) return out;
  // One statement creates the missing rows and touches the others, so every row comes back
  // locked (PostgreSQL takes them in VALUES order: the sorted keys).
  std::string values;
  std::vector<sql::Value> params;
  for (const auto& k : keys) {
    values += values.empty() ? "(?, ?)" : ", (?, ?)";
    params.emplace_back(scope.project_id);
    params.emplace_back(k);
  }
  OP_ASSIGN(auto rs, tx_.query("INSERT INTO usage_counters (project_id, row_key) VALUES " + values +
                                   " ON CONFLICT (project_id, row_key) DO UPDATE SET"
                                   " count = usage_counters.count RETURNING " +
                                   std::string(kCounterColumns),
                               params));
  out.reserve(rs.rows.size());
  for (const auto& r : rs.rows) out.push_back(counter_from_row(r));
  return out;
}

Status UsageRepository::write(const Scope& scope, const std::vector<UsageCounter>& rows) {
  if (rows.empty()) return {};
  std::string values;
  std::vector<sql::Value> params;
  params.reserve(rows.size() * 16);
  for (const UsageCounter& c : rows) {
    values += values.empty() ? "(" : ", (";
    values += placeholders(16) + ")";
    params.insert(params.end(), {scope.project_id, c.key, c.count, c.customers, c.order_amount,
                                 c.discount_amount, c.gift_amount, c.day_period, c.day_count,
                                 c.day_customers, c.week_period, c.week_count, c.week_customers,
                                 c.month_period, c.month_count, c.month_customers});
  }
  OP_TRY(tx_.query(
      "INSERT INTO usage_counters (project_id, " + std::string(kCounterColumns) + ") VALUES " +
          values +
          " ON CONFLICT (project_id, row_key) DO UPDATE SET count = excluded.count,"
          " customers = excluded.customers, order_amount = excluded.order_amount,"
          " discount_amount = excluded.discount_amount, gift_amount = excluded.gift_amount,"
          " day_period = excluded.day_period, day_count = excluded.day_count,"
          " day_customers = excluded.day_customers, week_period = excluded.week_period,"
          " week_count = excluded.week_count, week_customers = excluded.week_customers,"
          " month_period = excluded.month_period, month_count = excluded.month_count,"
          " month_customers = excluded.month_customers",
      params));
  return {};
}

// ---- session locks ------------------------------------------------------------------------------

Result<std::unordered_map<std::string, Reserved>> SessionRepository::reserved(
    const Scope& scope, const std::vector<std::string>& voucher_ids, Instant now,
    const std::optional<std::string>& except_key) {
  std::unordered_map<std::string, Reserved> out;
  if (voucher_ids.empty()) return out;
  const sql::Scoped s(scope);
  std::vector<sql::Value> params;
  s.bind(params);
  params.emplace_back(now.millis);
  params.emplace_back(except_key ? *except_key : std::string());
  for (const auto& id : voucher_ids) params.emplace_back(id);
  OP_ASSIGN(auto rs, tx_.query("SELECT voucher_id, CAST(SUM(quantity) AS BIGINT),"
                               " CAST(SUM(gift_credits) AS BIGINT)"
                               " FROM session_locks WHERE " +
                                   s.where() +
                                   " AND expires_at > ? AND session_key <> ? AND voucher_id IN (" +
                                   placeholders(voucher_ids.size()) + ") GROUP BY voucher_id",
                               params));
  for (const auto& r : rs.rows) out[r.text(0)] = Reserved{sum_or_zero(r, 1), sum_or_zero(r, 2)};
  return out;
}

Status SessionRepository::put(const Scope& scope, std::string_view session_key,
                              const std::vector<SessionLock>& locks) {
  OP_TRY(release(scope, session_key));
  for (const SessionLock& l : locks) {
    OP_TRY(tx_.query(
        "INSERT INTO session_locks (project_id, session_key, voucher_id, quantity, gift_credits,"
        " loyalty_points, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {scope.project_id, std::string(session_key), l.voucher_id, l.quantity, l.gift_credits,
         l.loyalty_points, l.created_at.millis, l.expires_at.millis}));
  }
  return {};
}

Result<int64_t> SessionRepository::release(const Scope& scope, std::string_view session_key,
                                           std::optional<std::string_view> voucher_id) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params = s.params({std::string(session_key)});
  std::string sql = "DELETE FROM session_locks WHERE " + s.where() + " AND session_key = ?";
  if (voucher_id) {
    sql += " AND voucher_id = ?";
    params.emplace_back(std::string(*voucher_id));
  }
  OP_ASSIGN(auto r, tx_.query(sql, params));
  return r.affected;
}

Result<int64_t> SessionRepository::sweep(Instant now, int64_t limit) {
  // Unscoped: tidies every project's expired reservations (they already stopped counting).
  OP_ASSIGN(auto r, tx_.query("DELETE FROM session_locks WHERE (project_id, session_key,"
                              " voucher_id) IN (SELECT project_id, session_key, voucher_id FROM"
                              " session_locks WHERE expires_at <= ? LIMIT ?)",
                              {now.millis, limit}));
  return r.affected;
}

// ---- idempotency keys ---------------------------------------------------------------------------

Result<IdempotencyRepository::Claim> IdempotencyRepository::claim(const Scope& scope,
                                                                  std::string_view key,
                                                                  std::string_view hash,
                                                                  Instant now,
                                                                  Instant expired_before) {
  Claim out;
  OP_ASSIGN(auto ins,
            tx_.query("INSERT INTO idempotency_keys (project_id, idempotency_key,"
                      " request_hash, status, response, created_at) VALUES (?, ?, ?, 0,"
                      " '', ?) ON CONFLICT DO NOTHING",
                      {scope.project_id, std::string(key), std::string(hash), now.millis}));
  if (ins.affected == 1) {
    out.claimed = true;
    return out;
  }
  // Taken: by a committed unit (whose answer is there) or by one that expired. An expired key
  // is claimed afresh by moving it, guarded on the old time so two claimants cannot both win.
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT request_hash, status, response, created_at FROM"
                               " idempotency_keys WHERE " +
                                   s.where() + " AND idempotency_key = ?",
                               s.params({std::string(key)})));
  if (rs.rows.empty()) return Error::unavailable("the idempotency key changed concurrently; retry");
  const sql::Row& r = rs.rows[0];
  const Instant created{r.integer(3)};
  if (created < expired_before) {
    OP_ASSIGN(auto moved, tx_.query("UPDATE idempotency_keys SET request_hash = ?, status = 0,"
                                    " response = '', created_at = ? WHERE " +
                                        s.where() + " AND idempotency_key = ? AND created_at = ?",
                                    {std::string(hash), now.millis, scope.project_id,
                                     std::string(key), created.millis}));
    if (moved.affected == 1) {
      out.claimed = true;
      return out;
    }
    return Error::unavailable("the idempotency key changed concurrently; retry");
  }
  IdempotentResponse prev;
  prev.request_hash = r.text(0);
  prev.status = static_cast<int>(r.integer(1));
  prev.body = r.text(2);
  prev.created_at = created;
  out.previous = std::move(prev);
  return out;
}

Status IdempotencyRepository::answer(const Scope& scope, std::string_view key, int status,
                                     std::string_view body) {
  const sql::Scoped s(scope);
  OP_TRY(tx_.query("UPDATE idempotency_keys SET status = ?, response = ? WHERE " + s.where() +
                       " AND idempotency_key = ?",
                   {int64_t{status}, std::string(body), scope.project_id, std::string(key)}));
  return {};
}

Result<int64_t> IdempotencyRepository::sweep(Instant before, int64_t limit) {
  OP_ASSIGN(auto r, tx_.query("DELETE FROM idempotency_keys WHERE (project_id, idempotency_key) IN"
                              " (SELECT project_id, idempotency_key FROM idempotency_keys WHERE"
                              " created_at < ? LIMIT ?)",
                              {before.millis, limit}));
  return r.affected;
}

}  // namespace openpromo
