// Store: orders, segments and their static members, product collections and the customer
// activity log (migration 9).
#include <array>
#include <unordered_map>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/store.h"

namespace openpromo {
namespace {

using sql::opt;

// ---- orders ----

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

std::vector<sql::Value> order_params(const Order& o) {
  return {o.id,
          o.project_id,
          opt(o.source_id),
          o.status,
          opt(o.customer_id),
          o.amount,
          o.total_amount,
          to_json_text(o.definition),
          o.created_at.millis,
          opt(o.updated_at)};
}

Result<std::optional<Order>> find_order_in(sql::Connection& conn, std::string_view project_id,
                                           std::string_view id_or_source_id, bool lock) {
  // A no-op UPDATE ... RETURNING reads the row and, on PostgreSQL, locks it until the
  // transaction ends (SQLite's BEGIN IMMEDIATE already serializes writers).
  const std::string sql =
      lock ? "UPDATE orders SET status = status WHERE project_id = ? AND (id = ? OR source_id = ?)"
             " RETURNING " +
                 std::string(kOrderColumns)
           : "SELECT " + std::string(kOrderColumns) +
                 " FROM orders WHERE project_id = ? AND (id = ? OR source_id = ?)";
  OP_ASSIGN(auto rs, conn.query(sql, {std::string(project_id), std::string(id_or_source_id),
                                      std::string(id_or_source_id)}));
  if (rs.rows.empty()) return std::optional<Order>{};
  // An id equal to another order's source_id: the id wins.
  for (const auto& row : rs.rows) {
    if (row.text(0) == id_or_source_id) return std::optional<Order>(order_from_row(row));
  }
  return std::optional<Order>(order_from_row(rs.rows[0]));
}

// ---- segments and collections ----

constexpr std::string_view kGroupColumns = "id, project_id, name, type, definition, created_at";
constexpr std::array<sql::ListField, 3> kGroupFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
}};
constexpr sql::ListTable kSegments{"segments", kGroupColumns, kGroupFields};
constexpr sql::ListTable kCollections{"product_collections", kGroupColumns, kGroupFields};

template <class T>
T group_from_row(const sql::Row& r) {
  T g;
  g.id = r.text(0);
  g.project_id = r.text(1);
  g.name = r.text(2);
  g.type = r.text(3);
  g.definition = sql::json_object(r, 4);
  g.created_at = Instant{r.integer(5)};
  return g;
}

constexpr std::string_view kActivityColumns = "id, project_id, customer_id, type, data, created_at";
constexpr std::array<sql::ListField, 4> kActivityFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"customer_id", "customer_id", sql::FieldType::kText, false},
    {"type", "type", sql::FieldType::kText, false},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
}};
constexpr sql::ListTable kActivities{"customer_activities", kActivityColumns, kActivityFields};

CustomerActivity activity_from_row(const sql::Row& r) {
  CustomerActivity a;
  a.id = r.text(0);
  a.project_id = r.text(1);
  a.customer_id = r.text(2);
  a.type = r.text(3);
  a.data = sql::json_object(r, 4);
  a.created_at = Instant{r.integer(5)};
  return a;
}

}  // namespace

Result<Order> Store::save_order(const Order& draft, const OrderMerge& merge) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Result<Order> {
    // The customer row is locked first, as erase_customer does: an order is never attached to
    // a customer whose erasure committed, and an erasure never misses an order being saved.
    if (draft.customer_id) {
      OP_ASSIGN(auto locked, conn.query("UPDATE customers SET id = id WHERE project_id = ? AND"
                                        " id = ? RETURNING id",
                                        {draft.project_id, *draft.customer_id}));
      if (locked.rows.empty()) return Error::not_found("customer", *draft.customer_id);
    }
    std::optional<Order> existing;
    if (merge.existing_id) {
      OP_ASSIGN(existing, find_order_in(conn, draft.project_id, *merge.existing_id, true));
      if (!existing) return Error::not_found("order", *merge.existing_id);
    } else {
      const std::vector<sql::Value> params = order_params(draft);
      // Insert unless the source id exists; concurrent creates of one source id serialize on
      // the unique index and all but one fall through to the update below.
      OP_ASSIGN(auto inserted, conn.query("INSERT INTO orders (" + std::string(kOrderColumns) +
                                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                              " ON CONFLICT DO NOTHING",
                                          std::span<const sql::Value>(params)));
      if (inserted.affected == 1) {
        if (merge.on_saved) OP_TRY(merge.on_saved(conn, std::nullopt, draft));
        return draft;
      }
      if (!draft.source_id) {
        return Error::duplicate_found("order", "An order with id " + draft.id + " exists");
      }
      OP_ASSIGN(existing, find_order_in(conn, draft.project_id, *draft.source_id, true));
      if (!existing) return Error::unavailable("the order changed concurrently; retry");
    }
    OP_ASSIGN(Order merged, merge.merge(*existing));
    auto updated = conn.query(
        "UPDATE orders SET source_id = ?, status = ?, customer_id = ?, amount = ?,"
        " total_amount = ?, definition = ?, updated_at = ?"
        " WHERE project_id = ? AND id = ?",
        {opt(merged.source_id), merged.status, opt(merged.customer_id), merged.amount,
         merged.total_amount, to_json_text(merged.definition), opt(merged.updated_at),
         merged.project_id, merged.id});
    if (!updated.ok()) {
      Error e = std::move(updated).take_error();
      if (e.key == sql::kUniqueViolation) {
        return Error::duplicate_found(
            "order", "An order with source_id '" + merged.source_id.value_or("") + "' exists");
      }
      return e;
    }
    if (merge.on_saved) OP_TRY(merge.on_saved(conn, existing, merged));
    return merged;
  });
}

Result<std::optional<Order>> Store::find_order(std::string_view project_id,
                                               std::string_view id_or_source_id) {
  OP_ASSIGN(auto lease, db_->acquire());
  return find_order_in(*lease, project_id, id_or_source_id, false);
}

Result<Page<Order>> Store::list_orders(std::string_view project_id, const ListQuery& query) {
  return sql::list_page<Order>(*db_, kOrders, project_id, query, order_from_row);
}

Result<OrderSummary> Store::order_summary(std::string_view project_id,
                                          std::string_view customer_id) {
  OP_ASSIGN(auto lease, db_->acquire());
  const std::vector<sql::Value> args{std::string(project_id), std::string(customer_id)};
  const std::span<const sql::Value> both(args);
  OP_ASSIGN(
      auto totals,
      lease->query("SELECT COUNT(*), CAST(COALESCE(SUM(total_amount), 0) AS BIGINT) FROM orders"
                   " WHERE project_id = ? AND customer_id = ? AND"
                   " status IN ('PAID', 'FULFILLED')",
                   both));
  OrderSummary s;
  s.total_count = totals.rows.at(0).integer(0);
  s.total_amount = totals.rows.at(0).integer(1);
  if (s.total_count == 0) return s;
  OP_ASSIGN(auto last, lease->query("SELECT total_amount, created_at FROM orders"
                                    " WHERE project_id = ? AND customer_id = ? AND"
                                    " status IN ('PAID', 'FULFILLED')"
                                    " ORDER BY created_at DESC, id DESC LIMIT 1",
                                    both));
  s.last_order_amount = last.rows.at(0).integer(0);
  s.last_order_date = Instant{last.rows.at(0).integer(1)};
  return s;
}

Result<std::unordered_map<std::string, OrderSummary>> Store::order_summaries(
    std::string_view project_id, const std::vector<std::string>& customer_ids) {
  std::unordered_map<std::string, OrderSummary> out;
  if (customer_ids.empty()) return out;
  std::string marks;
  std::vector<sql::Value> args{std::string(project_id)};
  for (const std::string& id : customer_ids) {
    marks += marks.empty() ? "?" : ", ?";
    args.emplace_back(id);
  }
  const std::string where = " WHERE project_id = ? AND customer_id IN (" + marks +
                            ") AND status IN ('PAID', 'FULFILLED')";
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto totals,
            lease->query("SELECT customer_id, COUNT(*), CAST(COALESCE(SUM(total_amount), 0) AS"
                         " BIGINT) FROM orders" +
                             where + " GROUP BY customer_id",
                         std::span<const sql::Value>(args)));
  for (const auto& row : totals.rows) {
    OrderSummary& s = out[row.text(0)];
    s.total_count = row.integer(1);
    s.total_amount = row.integer(2);
  }
  OP_ASSIGN(auto last, lease->query("SELECT customer_id, total_amount, created_at FROM ("
                                    "SELECT customer_id, total_amount, created_at, ROW_NUMBER()"
                                    " OVER (PARTITION BY customer_id ORDER BY created_at DESC,"
                                    " id DESC) AS n FROM orders" +
                                        where + ") latest WHERE n = 1",
                                    std::span<const sql::Value>(args)));
  for (const auto& row : last.rows) {
    OrderSummary& s = out[row.text(0)];
    s.last_order_amount = row.integer(1);
    s.last_order_date = Instant{row.integer(2)};
  }
  return out;
}

Status Store::insert_segment(const Segment& s, const std::vector<std::string>& customer_ids) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Status {
    OP_TRY(conn.query(
        "INSERT INTO segments (" + std::string(kGroupColumns) + ") VALUES (?, ?, ?, ?, ?, ?)",
        {s.id, s.project_id, s.name, s.type, to_json_text(s.definition), s.created_at.millis}));
    for (const std::string& customer : customer_ids) {
      OP_TRY(
          conn.query("INSERT INTO segment_customers (segment_id, customer_id) VALUES (?, ?)"
                     " ON CONFLICT DO NOTHING",
                     {s.id, customer}));
    }
    return Status{};
  });
}

Result<std::optional<Segment>> Store::find_segment(std::string_view project_id,
                                                   std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(kGroupColumns) +
                                      " FROM segments WHERE project_id = ? AND id = ?",
                                  {std::string(project_id), std::string(id)}));
  if (rs.rows.empty()) return std::optional<Segment>{};
  return std::optional<Segment>(group_from_row<Segment>(rs.rows[0]));
}

Result<Page<Segment>> Store::list_segments(std::string_view project_id, const ListQuery& query) {
  return sql::list_page<Segment>(*db_, kSegments, project_id, query, group_from_row<Segment>);
}

Status Store::delete_segment(std::string_view project_id, std::string_view id) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Status {
    OP_TRY(
        conn.query("DELETE FROM segment_customers WHERE segment_id IN"
                   " (SELECT id FROM segments WHERE project_id = ? AND id = ?)",
                   {std::string(project_id), std::string(id)}));
    OP_ASSIGN(auto r, conn.query("DELETE FROM segments WHERE project_id = ? AND id = ?",
                                 {std::string(project_id), std::string(id)}));
    if (r.affected == 0) return Error::not_found("segment", std::string(id));
    return Status{};
  });
}

Result<std::vector<std::string>> Store::static_segments_of(std::string_view project_id,
                                                           std::string_view customer_id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT m.segment_id FROM segment_customers m"
                                  " JOIN segments s ON s.id = m.segment_id"
                                  " WHERE s.project_id = ? AND m.customer_id = ?"
                                  " AND s.type = 'static' ORDER BY m.segment_id",
                                  {std::string(project_id), std::string(customer_id)}));
  std::vector<std::string> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(row.text(0));
  return out;
}

Result<std::vector<std::string>> Store::recorded_segments_of(std::string_view project_id,
                                                             std::string_view customer_id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT m.segment_id FROM segment_customers m"
                                  " JOIN segments s ON s.id = m.segment_id"
                                  " WHERE s.project_id = ? AND m.customer_id = ?"
                                  " AND s.type <> 'static' ORDER BY m.segment_id",
                                  {std::string(project_id), std::string(customer_id)}));
  std::vector<std::string> out;
  for (const auto& row : rs.rows) out.push_back(row.text(0));
  return out;
}

Result<bool> Store::set_segment_member(std::string_view segment_id, std::string_view customer_id,
                                       bool member) {
  OP_ASSIGN(auto lease, db_->acquire());
  const std::string sql =
      member ? "INSERT INTO segment_customers (segment_id, customer_id) VALUES (?, ?)"
               " ON CONFLICT DO NOTHING"
             : "DELETE FROM segment_customers WHERE segment_id = ? AND customer_id = ?";
  OP_ASSIGN(auto r, lease->query(sql, {std::string(segment_id), std::string(customer_id)}));
  return r.affected == 1;
}

Status Store::insert_collection(const ProductCollection& c, int64_t max_per_project) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Status {
    // The project row lock serializes creates of one project, so the cap holds exactly.
    OP_TRY(conn.query("UPDATE projects SET id = id WHERE id = ?", {c.project_id}));
    OP_ASSIGN(auto count, conn.query("SELECT COUNT(*) FROM product_collections WHERE"
                                     " project_id = ?",
                                     {c.project_id}));
    if (count.rows.at(0).integer(0) >= max_per_project) {
      return Error::invalid_payload("a project has at most " + std::to_string(max_per_project) +
                                    " product collections");
    }
    OP_TRY(conn.query(
        "INSERT INTO product_collections (" + std::string(kGroupColumns) +
            ") VALUES (?, ?, ?, ?, ?, ?)",
        {c.id, c.project_id, c.name, c.type, to_json_text(c.definition), c.created_at.millis}));
    return Status{};
  });
}

Result<std::optional<ProductCollection>> Store::find_collection(std::string_view project_id,
                                                                std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(kGroupColumns) +
                                      " FROM product_collections WHERE project_id = ? AND id = ?",
                                  {std::string(project_id), std::string(id)}));
  if (rs.rows.empty()) return std::optional<ProductCollection>{};
  return std::optional<ProductCollection>(group_from_row<ProductCollection>(rs.rows[0]));
}

Result<Page<ProductCollection>> Store::list_collections(std::string_view project_id,
                                                        const ListQuery& query) {
  return sql::list_page<ProductCollection>(*db_, kCollections, project_id, query,
                                           group_from_row<ProductCollection>);
}

Status Store::delete_collection(std::string_view project_id, std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto r, lease->query("DELETE FROM product_collections WHERE project_id = ? AND id = ?",
                                 {std::string(project_id), std::string(id)}));
  if (r.affected == 0) return Error::not_found("products_collection", std::string(id));
  return {};
}

Status Store::insert_activity(sql::Connection& conn, const CustomerActivity& a) {
  OP_TRY(conn.query(
      "INSERT INTO customer_activities (" + std::string(kActivityColumns) +
          ") VALUES (?, ?, ?, ?, ?, ?)",
      {a.id, a.project_id, a.customer_id, a.type, to_json_text(a.data), a.created_at.millis}));
  return {};
}

Status Store::insert_activity(const CustomerActivity& a) {
  OP_ASSIGN(auto lease, db_->acquire());
  return insert_activity(*lease, a);
}

Result<Page<CustomerActivity>> Store::list_activities(std::string_view project_id,
                                                      std::string_view customer_id,
                                                      ListQuery query) {
  // The activity endpoint takes paging and order only; the customer is the one filter.
  query.filters.clear();
  query.filters_or = false;
  query.filters.push_back(
      FilterCondition{"customer_id", FilterOp::kIs, {std::string(customer_id)}});
  return sql::list_page<CustomerActivity>(*db_, kActivities, project_id, query, activity_from_row);
}

Result<JsonObject> Store::erase_customer(std::string_view project_id,
                                         std::string_view customer_id) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Result<JsonObject> {
    const std::vector<sql::Value> arg_list{std::string(project_id), std::string(customer_id)};
    const std::span<const sql::Value> args(arg_list);
    // Lock the customer first (see save_order): writes that attach data to it wait, then find
    // it gone.
    OP_ASSIGN(auto locked, conn.query("UPDATE customers SET id = id WHERE project_id = ? AND"
                                      " id = ? RETURNING id",
                                      args));
    if (locked.rows.empty()) return Error::not_found("customer", std::string(customer_id));
    OP_ASSIGN(auto events,
              conn.query("DELETE FROM customer_activities WHERE project_id = ? AND customer_id = ?",
                         args));
    OP_ASSIGN(auto segments,
              conn.query("DELETE FROM segment_customers WHERE customer_id = ? AND segment_id IN"
                         " (SELECT id FROM segments WHERE project_id = ?)",
                         {std::string(customer_id), std::string(project_id)}));
    OP_ASSIGN(auto orders,
              conn.query("DELETE FROM orders WHERE project_id = ? AND customer_id = ?", args));
    OP_ASSIGN(auto customer,
              conn.query("DELETE FROM customers WHERE project_id = ? AND id = ?", args));
    if (customer.affected == 0) return Error::not_found("customer", std::string(customer_id));
    return JsonObject{{"events", 0},
                      {"customer_events", events.affected},
                      {"daily_events", 0},
                      {"segments", segments.affected},
                      {"orders", orders.affected},
                      {"order_events", 0},
                      {"customer", customer.affected}};
  });
}

}  // namespace openpromo

// ---- metadata schemas ----

namespace openpromo {
namespace {

constexpr std::string_view kSchemaColumns =
    "id, project_id, related_object, definition, created_at, updated_at";

MetadataSchema schema_from_row(const sql::Row& r) {
  MetadataSchema m;
  m.id = r.text(0);
  m.project_id = r.text(1);
  m.related_object = r.text(2);
  m.definition = sql::json_object(r, 3);
  m.created_at = Instant{r.integer(4)};
  m.updated_at = sql::opt_time(r, 5);
  return m;
}

}  // namespace

Status Store::insert_metadata_schema(const MetadataSchema& m) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "INSERT INTO metadata_schemas (" + std::string(kSchemaColumns) +
          ") VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT DO NOTHING",
      {m.id, m.project_id, m.related_object, to_json_text(m.definition), m.created_at.millis});
  if (!r.ok()) return std::move(r).take_error();
  if (r->affected == 0) {
    return Error::duplicate_found("metadata_schema",
                                  "A schema for " + m.related_object + " already exists");
  }
  return {};
}

Result<std::vector<MetadataSchema>> Store::list_metadata_schemas(std::string_view project_id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(kSchemaColumns) +
                                      " FROM metadata_schemas WHERE project_id = ?"
                                      " ORDER BY created_at, id",
                                  {std::string(project_id)}));
  std::vector<MetadataSchema> out;
  for (const auto& row : rs.rows) out.push_back(schema_from_row(row));
  return out;
}

Result<std::optional<MetadataSchema>> Store::find_metadata_schema(std::string_view project_id,
                                                                  std::string_view id_or_object) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(kSchemaColumns) +
                                      " FROM metadata_schemas WHERE project_id = ? AND"
                                      " (id = ? OR related_object = ?)",
                                  {std::string(project_id), std::string(id_or_object),
                                   std::string(id_or_object)}));
  if (rs.rows.empty()) return std::optional<MetadataSchema>{};
  return std::optional<MetadataSchema>(schema_from_row(rs.rows[0]));
}

Result<bool> Store::update_metadata_schema(const MetadataSchema& m,
                                           std::optional<Instant> read_updated_at) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto r,
            lease->query("UPDATE metadata_schemas SET definition = ?, updated_at = ?"
                         " WHERE project_id = ? AND id = ? AND COALESCE(updated_at, -1) = ?",
                         {to_json_text(m.definition), opt(m.updated_at), m.project_id, m.id,
                          read_updated_at ? read_updated_at->millis : int64_t{-1}}));
  return r.affected == 1;
}

Status Store::delete_metadata_schema(std::string_view project_id, std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto r, lease->query("DELETE FROM metadata_schemas WHERE project_id = ? AND id = ?",
                                 {std::string(project_id), std::string(id)}));
  if (r.affected == 0) return Error::not_found("metadata_schema", std::string(id));
  return {};
}

}  // namespace openpromo
