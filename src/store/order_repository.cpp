#include "store/order_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

using sql::opt;

constexpr std::string_view kOrderColumns =
    "id, project_id, source_id, status, customer_id, amount, total_amount, definition,"
    " created_at, updated_at";
constexpr std::array<sql::ListField, 6> kOrderFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"source_id", "source_id", sql::FieldType::kText, true},
    {"status", "status", sql::FieldType::kText, true},
    {"customer_id", "customer_id", sql::FieldType::kText, false},
    {"amount", "amount", sql::FieldType::kInteger, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
}};
constexpr sql::ListTable kOrders{"orders", kOrderColumns, kOrderFields};

Order order_from_row(const sql::Row& r) {
  Order o;
  o.id = r.text(0);
  o.project_id = r.text(1);
  o.source_id = sql::opt_text(r, 2);
  o.status = r.text(3);
  o.customer_id = sql::opt_text(r, 4);
  o.amount = r.integer(5);
  o.total_amount = r.integer(6);
  o.definition = sql::json_object(r, 7);
  o.created_at = Instant{r.integer(8)};
  o.updated_at = sql::opt_time(r, 9);
  return o;
}

}  // namespace

Result<bool> OrderRepository::insert_if_new(const Scope& scope, const Order& o) {
  OP_ASSIGN(auto inserted,
            tx_.query("INSERT INTO orders (" + std::string(kOrderColumns) +
                          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      {o.id, scope.project_id, opt(o.source_id), o.status, opt(o.customer_id),
                       o.amount, o.total_amount, to_json_text(o.definition), o.created_at.millis,
                       opt(o.updated_at)}));
  return inserted.affected == 1;
}

Result<std::optional<Order>> OrderRepository::find(const Scope& scope,
                                                   std::string_view id_or_source_id, bool lock) {
  const sql::Scoped s(scope);
  const std::string key(id_or_source_id);
  // A no-op UPDATE ... RETURNING reads the row and, on PostgreSQL, locks it until the unit ends.
  const std::string where = " WHERE " + s.where() + " AND (id = ? OR source_id = ?)";
  const std::string sql = lock ? "UPDATE orders SET status = status" + where + " RETURNING " +
                                     std::string(kOrderColumns)
                               : "SELECT " + std::string(kOrderColumns) + " FROM orders" + where;
  OP_ASSIGN(auto rs, tx_.query(sql, s.params({key, key})));
  if (rs.rows.empty()) return std::optional<Order>{};
  for (const auto& row : rs.rows) {
    if (row.text(0) == id_or_source_id) return std::optional<Order>(order_from_row(row));
  }
  return std::optional<Order>(order_from_row(rs.rows[0]));
}

Result<Page<Order>> OrderRepository::list(const Scope& scope, const ListQuery& query) {
  return sql::list_page<Order>(tx_, kOrders, scope, query, order_from_row);
}

Status OrderRepository::update(const Scope& scope, const Order& o) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{opt(o.source_id), o.status,       opt(o.customer_id),
                                 o.amount,         o.total_amount, to_json_text(o.definition),
                                 opt(o.updated_at)};
  s.bind(params);
  params.emplace_back(o.id);
  auto updated = tx_.query(
      "UPDATE orders SET source_id = ?, status = ?, customer_id = ?, amount = ?,"
      " total_amount = ?, definition = ?, updated_at = ? WHERE " +
          s.where() + " AND id = ?",
      params);
  if (!updated.ok()) {
    Error e = std::move(updated).take_error();
    if (e.key == sql::kUniqueViolation) {
      return Error::duplicate_found(
          "order", "An order with source_id '" + o.source_id.value_or("") + "' exists");
    }
    return e;
  }
  if (updated->affected == 0) return Error::not_found("order", o.id);
  return {};
}

Result<int64_t> OrderRepository::remove_of_customer(const Scope& scope,
                                                    std::string_view customer_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM orders WHERE " + s.where() + " AND customer_id = ?",
                              s.params({std::string(customer_id)})));
  return r.affected;
}

Result<OrderSummary> OrderRepository::summary(const Scope& scope, std::string_view customer_id) {
  const sql::Scoped s(scope);
  const auto args = s.params({std::string(customer_id)});
  OP_ASSIGN(auto totals,
            tx_.query("SELECT COUNT(*), CAST(COALESCE(SUM(total_amount), 0) AS BIGINT) FROM orders"
                      " WHERE " +
                          s.where() + " AND customer_id = ? AND status IN ('PAID', 'FULFILLED')",
                      args));
  OrderSummary out;
  out.total_count = totals.rows.at(0).integer(0);
  out.total_amount = totals.rows.at(0).integer(1);
  if (out.total_count == 0) return out;
  OP_ASSIGN(auto last, tx_.query("SELECT total_amount, created_at FROM orders WHERE " + s.where() +
                                     " AND customer_id = ? AND status IN ('PAID', 'FULFILLED')"
                                     " ORDER BY created_at DESC, id DESC LIMIT 1",
                                 args));
  out.last_order_amount = last.rows.at(0).integer(0);
  out.last_order_date = Instant{last.rows.at(0).integer(1)};
  return out;
}

Result<std::unordered_map<std::string, OrderSummary>> OrderRepository::summaries(
    const Scope& scope, const std::vector<std::string>& customer_ids) {
  std::unordered_map<std::string, OrderSummary> out;
  if (customer_ids.empty()) return out;
  const sql::Scoped s(scope);
  std::string marks;
  std::vector<sql::Value> args = s.params();
  for (const std::string& id : customer_ids) {
    marks += marks.empty() ? "?" : ", ?";
    args.emplace_back(id);
  }
  const std::string where = " WHERE " + s.where() + " AND customer_id IN (" + marks +
                            ") AND status IN ('PAID', 'FULFILLED')";
  OP_ASSIGN(auto totals,
            tx_.query("SELECT customer_id, COUNT(*), CAST(COALESCE(SUM(total_amount), 0) AS"
                      " BIGINT) FROM orders" +
                          where + " GROUP BY customer_id",
                      args));
  for (const auto& row : totals.rows) {
    OrderSummary& sum = out[row.text(0)];
    sum.total_count = row.integer(1);
    sum.total_amount = row.integer(2);
  }
  OP_ASSIGN(auto last, tx_.query("SELECT customer_id, total_amount, created_at FROM ("
                                 "SELECT customer_id, total_amount, created_at, ROW_NUMBER()"
                                 " OVER (PARTITION BY customer_id ORDER BY created_at DESC,"
                                 " id DESC) AS n FROM orders" +
                                     where + ") latest WHERE n = 1",
                                 args));
  for (const auto& row : last.rows) {
    OrderSummary& sum = out[row.text(0)];
    sum.last_order_amount = row.integer(1);
    sum.last_order_date = Instant{row.integer(2)};
  }
  return out;
}

}  // namespace openpromo
