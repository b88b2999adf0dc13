// Store: customers.
#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/store.h"

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

}  // namespace

Result<Customer> Store::upsert_customer(std::string_view project_id, const CustomerDraft& d,
                                        const std::string& new_id, Instant now) {
  JsonObject definition;
  definition["address"] = d.address ? *d.address : Json(nullptr);
  definition["metadata"] = d.metadata && !d.metadata->is_null() ? *d.metadata : Json(JsonObject{});
  OP_ASSIGN(auto lease, db_->acquire());
  if (!d.source_id) {
    OP_ASSIGN(auto rs, lease->query("INSERT INTO customers (" + std::string(kColumns) +
                                        ") VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, NULL)"
                                        " RETURNING " +
                                        std::string(kColumns),
                                    {new_id, std::string(project_id), opt(d.name),
                                     opt(d.description), opt(d.email), opt(d.phone),
                                     opt(d.birthdate), to_json_text(definition), now.millis}));
    return from_row(rs.rows.at(0));
  }
  // One statement: inserted, or the existing row updated with the fields given, atomically
  // under the unique (project_id, source_id) index, whichever node runs it.
  OP_ASSIGN(auto rs,
            lease->query(
                "INSERT INTO customers (" + std::string(kColumns) +
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"
                    " ON CONFLICT (project_id, source_id) DO UPDATE SET"
                    " name = COALESCE(?, customers.name),"
                    " description = COALESCE(?, customers.description),"
                    " email = COALESCE(?, customers.email), phone = COALESCE(?, customers.phone),"
                    " birthdate = COALESCE(?, customers.birthdate), updated_at = ?"
                    " RETURNING " +
                    std::string(kColumns),
                {new_id, std::string(project_id), *d.source_id, opt(d.name), opt(d.description),
                 opt(d.email), opt(d.phone), opt(d.birthdate), to_json_text(definition), now.millis,
                 opt(d.name), opt(d.description), opt(d.email), opt(d.phone), opt(d.birthdate),
                 now.millis}));
  Customer c = from_row(rs.rows.at(0));
  // Address and metadata of an existing customer: applied by the service through
  // update_customer (they merge), only when the upsert hit an existing row.
  return c;
}

Result<std::optional<Customer>> Store::find_customer(std::string_view project_id,
                                                     std::string_view id_or_source_id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(kColumns) +
                                      " FROM customers WHERE project_id = ? AND (id = ? OR"
                                      " source_id = ?) ORDER BY (id = ?) DESC LIMIT 1",
                                  {std::string(project_id), std::string(id_or_source_id),
                                   std::string(id_or_source_id), std::string(id_or_source_id)}));
  if (rs.rows.empty()) return std::optional<Customer>{};
  return std::optional<Customer>(from_row(rs.rows[0]));
}

Result<Page<Customer>> Store::list_customers(std::string_view project_id, const ListQuery& query) {
  return sql::list_page<Customer>(*db_, kTable, project_id, query, from_row);
}

Result<Customer> Store::update_customer(std::string_view project_id, std::string_view id,
                                        const CustomerDraft& d, Instant now) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Result<Customer> {
    // Read and write in one write transaction: metadata merges never lose a concurrent key.
    OP_ASSIGN(auto current, conn.query("SELECT " + std::string(kColumns) +
                                           " FROM customers WHERE project_id = ? AND id = ?",
                                       {std::string(project_id), std::string(id)}));
    if (current.rows.empty()) return Error::not_found("customer", std::string(id));
    Customer c = from_row(current.rows[0]);
    JsonObject definition = c.definition;
    if (d.address) definition["address"] = *d.address;
    if (d.metadata) merge_metadata(definition, *d.metadata);
    OP_ASSIGN(auto rs,
              conn.query("UPDATE customers SET name = COALESCE(?, name),"
                         " description = COALESCE(?, description), email = COALESCE(?, email),"
                         " phone = COALESCE(?, phone), birthdate = COALESCE(?, birthdate),"
                         " definition = ?, updated_at = ? WHERE project_id = ? AND id = ?"
                         " RETURNING " +
                             std::string(kColumns),
                         {opt(d.name), opt(d.description), opt(d.email), opt(d.phone),
                          opt(d.birthdate), to_json_text(definition), now.millis,
                          std::string(project_id), std::string(id)}));
    return from_row(rs.rows.at(0));
  });
}

Status Store::delete_customer(std::string_view project_id, std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto r, lease->query("DELETE FROM customers WHERE project_id = ? AND id = ?",
                                 {std::string(project_id), std::string(id)}));
  if (r.affected == 0) return Error::not_found("customer", std::string(id));
  return {};
}

}  // namespace openpromo
