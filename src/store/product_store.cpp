// Store: products and SKUs.
#include <algorithm>
#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/store.h"

namespace openpromo {
namespace {

using sql::opt;

constexpr std::string_view kProductColumns =
    "id, project_id, source_id, name, price, definition, created_at, updated_at";
constexpr std::array<sql::ListField, 5> kProductFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"source_id", "source_id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"price", "price", sql::FieldType::kInteger, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
}};
constexpr sql::ListTable kProducts{"products", kProductColumns, kProductFields};

Product product_from_row(const sql::Row& r) {
  Product p;
  p.id = r.text(0);
  p.project_id = r.text(1);
  p.source_id = sql::opt_text(r, 2);
  p.name = sql::opt_text(r, 3);
  p.price = sql::opt_int(r, 4);
  p.definition = sql::json_object(r, 5);
  p.created_at = Instant{r.integer(6)};
  p.updated_at = sql::opt_time(r, 7);
  return p;
}

constexpr std::string_view kSkuColumns =
    "id, project_id, product_id, source_id, sku, price, currency, definition, created_at,"
    " updated_at";
constexpr std::array<sql::ListField, 5> kSkuFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"product_id", "product_id", sql::FieldType::kText, false},
    {"source_id", "source_id", sql::FieldType::kText, true},
    {"sku", "sku", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
}};
constexpr sql::ListTable kSkus{"skus", kSkuColumns, kSkuFields};

Sku sku_from_row(const sql::Row& r) {
  Sku s;
  s.id = r.text(0);
  s.project_id = r.text(1);
  s.product_id = r.text(2);
  s.source_id = sql::opt_text(r, 3);
  s.sku = sql::opt_text(r, 4);
  s.price = sql::opt_int(r, 5);
  s.currency = sql::opt_text(r, 6);
  s.definition = sql::json_object(r, 7);
  s.created_at = Instant{r.integer(8)};
  s.updated_at = sql::opt_time(r, 9);
  return s;
}

Error map_error(Error e, std::string_view what, const std::optional<std::string>& source_id) {
  if (e.key == sql::kUniqueViolation) {
    return Error::duplicate_found(
        std::string(what),
        "A " + std::string(what) + " with source_id '" + source_id.value_or("") + "' exists");
  }
  return e;
}

template <class T, class Decode>
Result<std::optional<T>> find_one(sql::Database& db, std::string_view table,
                                  std::string_view columns, std::string_view project_id,
                                  std::string_view key, Decode decode) {
  OP_ASSIGN(auto lease, db.acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(columns) + " FROM " + std::string(table) +
                                      " WHERE project_id = ? AND (id = ? OR source_id = ?)"
                                      " ORDER BY (id = ?) DESC LIMIT 1",
                                  {std::string(project_id), std::string(key), std::string(key),
                                   std::string(key)}));
  if (rs.rows.empty()) return std::optional<T>{};
  return std::optional<T>(decode(rs.rows[0]));
}

// The rows whose id or source id is one of `keys`, in chunks of 100 keys per query.
template <class T, class Decode>
Result<std::vector<T>> find_many(sql::Database& db, std::string_view table,
                                 std::string_view columns, std::string_view project_id,
                                 const std::vector<std::string>& keys, Decode decode) {
  std::vector<T> out;
  if (keys.empty()) return out;
  OP_ASSIGN(auto lease, db.acquire());
  constexpr size_t kChunk = 100;
  for (size_t start = 0; start < keys.size(); start += kChunk) {
    const size_t n = std::min(kChunk, keys.size() - start);
    std::string marks;
    std::vector<sql::Value> args{std::string(project_id)};
    for (size_t i = 0; i < n; ++i) {
      marks += i ? ", ?" : "?";
      args.emplace_back(keys[start + i]);
    }
    for (size_t i = 0; i < n; ++i) args.emplace_back(keys[start + i]);
    OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(columns) + " FROM " +
                                        std::string(table) + " WHERE project_id = ? AND (id IN (" +
                                        marks + ") OR source_id IN (" + marks + "))",
                                    std::span<const sql::Value>(args)));
    for (const auto& row : rs.rows) out.push_back(decode(row));
  }
  return out;
}

}  // namespace

Result<std::vector<Product>> Store::find_products(std::string_view project_id,
                                                  const std::vector<std::string>& keys) {
  return find_many<Product>(*db_, "products", kProductColumns, project_id, keys, product_from_row);
}

Result<std::vector<Sku>> Store::find_skus(std::string_view project_id,
                                          const std::vector<std::string>& keys) {
  return find_many<Sku>(*db_, "skus", kSkuColumns, project_id, keys, sku_from_row);
}

Status Store::insert_product(const Product& p) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "INSERT INTO products (" + std::string(kProductColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {p.id, p.project_id, opt(p.source_id), opt(p.name), opt(p.price), to_json_text(p.definition),
       p.created_at.millis, opt(p.updated_at)});
  if (!r.ok()) return map_error(std::move(r).take_error(), "product", p.source_id);
  return {};
}

Result<std::optional<Product>> Store::find_product(std::string_view project_id,
                                                   std::string_view id_or_source_id) {
  return find_one<Product>(*db_, "products", kProductColumns, project_id, id_or_source_id,
                           product_from_row);
}

Result<Page<Product>> Store::list_products(std::string_view project_id, const ListQuery& query) {
  return sql::list_page<Product>(*db_, kProducts, project_id, query, product_from_row);
}

Status Store::update_product(const Product& p) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "UPDATE products SET name = ?, price = ?, definition = ?, updated_at = ?"
      " WHERE project_id = ? AND id = ?",
      {opt(p.name), opt(p.price), to_json_text(p.definition), opt(p.updated_at), p.project_id,
       p.id});
  if (!r.ok()) return std::move(r).take_error();
  if (r->affected == 0) return Error::not_found("product", p.id);
  return {};
}

Status Store::delete_product(std::string_view project_id, std::string_view id) {
  return sql::with_write_transaction(*db_, [&](sql::Connection& conn) -> Status {
    OP_TRY(conn.query("DELETE FROM skus WHERE project_id = ? AND product_id = ?",
                      {std::string(project_id), std::string(id)}));
    OP_ASSIGN(auto r, conn.query("DELETE FROM products WHERE project_id = ? AND id = ?",
                                 {std::string(project_id), std::string(id)}));
    if (r.affected == 0) return Error::not_found("product", std::string(id));
    return {};
  });
}

Status Store::insert_sku(const Sku& s) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "INSERT INTO skus (" + std::string(kSkuColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {s.id, s.project_id, s.product_id, opt(s.source_id), opt(s.sku), opt(s.price),
       opt(s.currency), to_json_text(s.definition), s.created_at.millis, opt(s.updated_at)});
  if (!r.ok()) return map_error(std::move(r).take_error(), "sku", s.source_id);
  return {};
}

Result<std::optional<Sku>> Store::find_sku(std::string_view project_id,
                                           std::string_view id_or_source_id) {
  return find_one<Sku>(*db_, "skus", kSkuColumns, project_id, id_or_source_id, sku_from_row);
}

Result<Page<Sku>> Store::list_skus(std::string_view project_id, std::string_view product_id,
                                   const ListQuery& query) {
  ListQuery q = query;
  q.filters.push_back(FilterCondition{"product_id", FilterOp::kIs, {std::string(product_id)}});
  return sql::list_page<Sku>(*db_, kSkus, project_id, q, sku_from_row);
}

Result<Page<Sku>> Store::list_project_skus(std::string_view project_id, const ListQuery& query) {
  return sql::list_page<Sku>(*db_, kSkus, project_id, query, sku_from_row);
}

Status Store::update_sku(const Sku& s) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "UPDATE skus SET sku = ?, price = ?, currency = ?, definition = ?, updated_at = ?"
      " WHERE project_id = ? AND id = ?",
      {opt(s.sku), opt(s.price), opt(s.currency), to_json_text(s.definition), opt(s.updated_at),
       s.project_id, s.id});
  if (!r.ok()) return std::move(r).take_error();
  if (r->affected == 0) return Error::not_found("sku", s.id);
  return {};
}

Status Store::delete_sku(std::string_view project_id, std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto r, lease->query("DELETE FROM skus WHERE project_id = ? AND id = ?",
                                 {std::string(project_id), std::string(id)}));
  if (r.affected == 0) return Error::not_found("sku", std::string(id));
  return {};
}

}  // namespace openpromo
