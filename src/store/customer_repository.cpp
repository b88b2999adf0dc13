#include "store/customer_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

using sql::opt;

constexpr std::string_view kColumns =
    "id, project_id, source_id, name, description, email, phone, birthdate, definition,"
    " created_at, updated_at";

constexpr std::array<sql::ListField, 6> kListFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"source_id", "source_id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"email", "email", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
    {"updated_at", "COALESCE(updated_at, created_at)", sql::FieldType::kTimestamp, true},
}};

constexpr sql::ListTable kTable{"customers", kColumns, kListFields};

Customer from_row(const sql::Row& r) {
  Customer c;
  c.id = r.text(0);
  c.project_id = r.text(1);
  c.source_id = sql::opt_text(r, 2);
  c.name = sql::opt_text(r, 3);
  c.description = sql::opt_text(r, 4);
  c.email = sql::opt_text(r, 5);
  c.phone = sql::opt_text(r, 6);
  c.birthdate = sql::opt_text(r, 7);
  c.definition = sql::json_object(r, 8);
  c.created_at = Instant{r.integer(9)};
  c.updated_at = sql::opt_time(r, 10);
  return c;
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

Result<Customer> CustomerRepository::upsert(const Scope& scope, const CustomerDraft& d,
                                            const std::string& new_id, Instant now) {
  JsonObject definition;
  definition["address"] = d.address ? *d.address : Json(nullptr);
  definition["metadata"] = d.metadata && !d.metadata->is_null() ? *d.metadata : Json(JsonObject{});
  if (!d.source_id) {
    OP_ASSIGN(auto rs,
              tx_.query("INSERT INTO customers (" + std::string(kColumns) +
                            ") VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, NULL)"
                            " RETURNING " +
                            std::string(kColumns),
                        {new_id, scope.project_id, opt(d.name), opt(d.description), opt(d.email),
                         opt(d.phone), opt(d.birthdate), to_json_text(definition), now.millis}));
    return from_row(rs.rows.at(0));
  }
  // One statement: inserted, or the existing row updated with the fields given, atomically
  // under the unique (project_id, source_id) index, whichever node runs it. Address and metadata
  // of an existing customer are merged by update() (the service calls it when the upsert hit an
  // existing row).
  OP_ASSIGN(auto rs,
            tx_.query("INSERT INTO customers (" + std::string(kColumns) +
                          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"
                          " ON CONFLICT (project_id, source_id) DO UPDATE SET"
                          " name = COALESCE(?, customers.name),"
                          " description = COALESCE(?, customers.description),"
                          " email = COALESCE(?, customers.email),"
                          " phone = COALESCE(?, customers.phone),"
                          " birthdate = COALESCE(?, customers.birthdate), updated_at = ?"
                          " RETURNING " +
                          std::string(kColumns),
                      {new_id, scope.project_id, *d.source_id, opt(d.name), opt(d.description),
                       opt(d.email), opt(d.phone), opt(d.birthdate), to_json_text(definition),
                       now.millis, opt(d.name), opt(d.description), opt(d.email), opt(d.phone),
                       opt(d.birthdate), now.millis}));
  return from_row(rs.rows.at(0));
}

Result<std::optional<Customer>> CustomerRepository::find(const Scope& scope,
                                                         std::string_view id_or_source_id) {
  const sql::Scoped s(scope);
  const std::string key(id_or_source_id);
  OP_ASSIGN(auto rs,
            tx_.query("SELECT " + std::string(kColumns) + " FROM customers WHERE " + s.where() +
                          " AND (id = ? OR source_id = ?) ORDER BY (id = ?) DESC LIMIT 1",
                      s.params({key, key, key})));
  if (rs.rows.empty()) return std::optional<Customer>{};
  return std::optional<Customer>(from_row(rs.rows[0]));
}

Result<Page<Customer>> CustomerRepository::list(const Scope& scope, const ListQuery& query) {
  return sql::list_page<Customer>(tx_, kTable, scope, query, from_row);
}

Result<Customer> CustomerRepository::update(const Scope& scope, std::string_view id,
                                            const CustomerDraft& d, Instant now) {
  // Locks the row first (PostgreSQL; SQLite's write unit already serialises writers), so the
  // merge below reads the latest committed metadata.
  const sql::Scoped s(scope);
  OP_ASSIGN(auto current, tx_.query("UPDATE customers SET id = id WHERE " + s.where() +
                                        " AND id = ? RETURNING " + std::string(kColumns),
                                    s.params({std::string(id)})));
  if (current.rows.empty()) return Error::not_found("customer", std::string(id));
  Customer c = from_row(current.rows[0]);
  JsonObject definition = c.definition;
  if (d.address) definition["address"] = *d.address;
  if (d.metadata) merge_metadata(definition, *d.metadata);
  std::vector<sql::Value> params{opt(d.name),  opt(d.description), opt(d.email),
                                 opt(d.phone), opt(d.birthdate),   to_json_text(definition),
                                 now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_ASSIGN(auto rs,
            tx_.query("UPDATE customers SET name = COALESCE(?, name),"
                      " description = COALESCE(?, description), email = COALESCE(?, email),"
                      " phone = COALESCE(?, phone), birthdate = COALESCE(?, birthdate),"
                      " definition = ?, updated_at = ? WHERE " +
                          s.where() + " AND id = ? RETURNING " + std::string(kColumns),
                      params));
  return from_row(rs.rows.at(0));
}

Status CustomerRepository::lock(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto locked, tx_.query("UPDATE customers SET id = id WHERE " + s.where() +
                                       " AND id = ? RETURNING id",
                                   s.params({std::string(id)})));
  if (locked.rows.empty()) return Error::not_found("customer", std::string(id));
  return {};
}

namespace {
constexpr std::string_view kInStaticSegment =
    " AND id IN (SELECT customer_id FROM segment_customers WHERE segment_id = ?)";
}  // namespace

Result<std::vector<Customer>> CustomerRepository::batch_after(
    const Scope& scope, std::string_view after_id, int64_t limit,
    const std::optional<std::string>& static_segment_id) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params = s.params({std::string(after_id)});
  std::string query =
      "SELECT " + std::string(kColumns) + " FROM customers WHERE " + s.where() + " AND id > ?";
  if (static_segment_id) {
    query += kInStaticSegment;
    params.emplace_back(*static_segment_id);
  }
  query += " ORDER BY id LIMIT ?";
  params.emplace_back(limit);
  OP_ASSIGN(auto rs, tx_.query(query, params));
  std::vector<Customer> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(from_row(row));
  return out;
}

Result<int64_t> CustomerRepository::count(const Scope& scope,
                                          const std::optional<std::string>& static_segment_id) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params = s.params();
  std::string query = "SELECT COUNT(*) FROM customers WHERE " + s.where();
  if (static_segment_id) {
    query += kInStaticSegment;
    params.emplace_back(*static_segment_id);
  }
  OP_ASSIGN(auto rs, tx_.query(query, params));
  return rs.rows.at(0).integer(0);
}

namespace {
// "?, ?, ..." for an IN list of `ids`, whose values are appended to `params`.
std::string id_placeholders(const std::vector<std::string>& ids, std::vector<sql::Value>& params) {
  std::string in;
  for (const std::string& id : ids) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(id);
  }
  return in;
}
}  // namespace

Result<std::map<std::string, std::string>> CustomerRepository::source_ids(
    const Scope& scope, const std::vector<std::string>& ids) {
  std::map<std::string, std::string> out;
  if (ids.empty()) return out;
  const sql::Scoped s(scope);
  std::vector<sql::Value> params = s.params();
  const std::string in = id_placeholders(ids, params);
  OP_ASSIGN(auto rows, tx_.query("SELECT id, source_id FROM customers WHERE " + s.where() +
                                     " AND source_id IS NOT NULL AND id IN (" + in + ")",
                                 params));
  for (const auto& row : rows.rows) out.emplace(row.text(0), row.text(1));
  return out;
}

Result<std::vector<std::string>> CustomerRepository::lock_many(
    const Scope& scope, const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  if (ids.empty()) return out;
  const sql::Scoped s(scope);
  std::vector<sql::Value> params = s.params();
  const std::string in = id_placeholders(ids, params);
  OP_ASSIGN(auto locked, tx_.query("UPDATE customers SET id = id WHERE " + s.where() +
                                       " AND id IN (" + in + ") RETURNING id",
                                   params));
  for (const auto& row : locked.rows) out.push_back(row.text(0));
  return out;
}

Result<int64_t> CustomerRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM customers WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("customer", std::string(id));
  return r.affected;
}

Status ActivityRepository::insert(const Scope& scope, const CustomerActivity& a) {
  OP_TRY(tx_.query(
      "INSERT INTO customer_activities (" + std::string(kActivityColumns) +
          ") VALUES (?, ?, ?, ?, ?, ?)",
      {a.id, scope.project_id, a.customer_id, a.type, to_json_text(a.data), a.created_at.millis}));
  return {};
}

Result<Page<CustomerActivity>> ActivityRepository::list(const Scope& scope,
                                                        std::string_view customer_id,
                                                        ListQuery query) {
  // The activity endpoint takes paging and order only; the customer is the one filter.
  query.filters.clear();
  query.filters_or = false;
  query.required.push_back(
      FilterCondition{"customer_id", FilterOp::kIs, {std::string(customer_id)}});
  return sql::list_page<CustomerActivity>(tx_, kActivities, scope, query, activity_from_row);
}

Result<int64_t> ActivityRepository::remove_of_customer(const Scope& scope,
                                                       std::string_view customer_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r,
            tx_.query("DELETE FROM customer_activities WHERE " + s.where() + " AND customer_id = ?",
                      s.params({std::string(customer_id)})));
  return r.affected;
}

}  // namespace openpromo
