#include "store/product_repository.h"

#include <algorithm>
#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

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
// Products and SKUs in the bin are invisible everywhere but the bin (their source ids stay taken).
constexpr sql::ListTable kProducts{"products", kProductColumns, kProductFields,
                                   "deleted_at IS NULL"};

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
constexpr sql::ListTable kSkus{"skus", kSkuColumns, kSkuFields, "deleted_at IS NULL"};

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
Result<std::optional<T>> find_one(UnitOfWork& tx, std::string_view table, std::string_view columns,
                                  const Scope& scope, std::string_view key, Decode decode,
                                  bool include_binned = false) {
  const sql::Scoped s(scope);
  const std::string k(key);
  OP_ASSIGN(auto rs,
            tx.query("SELECT " + std::string(columns) + " FROM " + std::string(table) + " WHERE " +
                         s.where() + (include_binned ? "" : " AND deleted_at IS NULL") +
                         " AND (id = ? OR source_id = ?) ORDER BY (id = ?) DESC LIMIT 1",
                     s.params({k, k, k})));
  if (rs.rows.empty()) return std::optional<T>{};
  return std::optional<T>(decode(rs.rows[0]));
}

// The rows whose id or source id is one of `keys`, in chunks of 100 keys per query.
template <class T, class Decode>
Result<std::vector<T>> find_many_of(UnitOfWork& tx, std::string_view table,
                                    std::string_view columns, const Scope& scope,
                                    const std::vector<std::string>& keys, Decode decode) {
  std::vector<T> out;
  if (keys.empty()) return out;
  const sql::Scoped s(scope);
  constexpr size_t kChunk = 100;
  for (size_t start = 0; start < keys.size(); start += kChunk) {
    const size_t n = std::min(kChunk, keys.size() - start);
    std::string marks;
    std::vector<sql::Value> args = s.params();
    for (size_t i = 0; i < n; ++i) {
      marks += i ? ", ?" : "?";
      args.emplace_back(keys[start + i]);
    }
    for (size_t i = 0; i < n; ++i) args.emplace_back(keys[start + i]);
    OP_ASSIGN(auto rs, tx.query("SELECT " + std::string(columns) + " FROM " + std::string(table) +
                                    " WHERE " + s.where() + " AND deleted_at IS NULL AND (id IN (" +
                                    marks + ") OR source_id IN (" + marks + "))",
                                args));
    for (const auto& row : rs.rows) out.push_back(decode(row));
  }
  return out;
}

std::vector<sql::Value> product_values(const Scope& scope, const Product& p) {
  return {p.id,         scope.project_id,           opt(p.source_id),    opt(p.name),
          opt(p.price), to_json_text(p.definition), p.created_at.millis, opt(p.updated_at)};
}

}  // namespace

Status ProductRepository::insert(const Scope& scope, const Product& p) {
  auto r = tx_.query(
      "INSERT INTO products (" + std::string(kProductColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      product_values(scope, p));
  if (!r.ok()) return map_error(std::move(r).take_error(), "product", p.source_id);
  return {};
}

Result<bool> ProductRepository::insert_if_new(const Scope& scope, const Product& p) {
  OP_ASSIGN(auto r, tx_.query("INSERT INTO products (" + std::string(kProductColumns) +
                                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                              product_values(scope, p)));
  return r.affected == 1;
}

Result<std::optional<Product>> ProductRepository::find(const Scope& scope,
                                                       std::string_view id_or_source_id,
                                                       bool include_binned) {
  return find_one<Product>(tx_, "products", kProductColumns, scope, id_or_source_id,
                           product_from_row, include_binned);
}

Result<std::vector<Product>> ProductRepository::find_many(const Scope& scope,
                                                          const std::vector<std::string>& keys) {
  return find_many_of<Product>(tx_, "products", kProductColumns, scope, keys, product_from_row);
}

Result<Page<Product>> ProductRepository::list(const Scope& scope, const ListQuery& query) {
  return sql::list_page<Product>(tx_, kProducts, scope, query, product_from_row);
}

Status ProductRepository::update(const Scope& scope, const Product& p) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{opt(p.name), opt(p.price), to_json_text(p.definition),
                                 opt(p.updated_at)};
  s.bind(params);
  params.emplace_back(p.id);
  auto r = tx_.query(
      "UPDATE products SET name = ?, price = ?, definition = ?, updated_at = ?"
      " WHERE " +
          s.where() + " AND id = ? AND deleted_at IS NULL",
      params);
  if (!r.ok()) return std::move(r).take_error();
  if (r->affected == 0) return Error::not_found("product", p.id);
  return {};
}

Status ProductRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_TRY(tx_.query("DELETE FROM skus WHERE " + s.where() + " AND product_id = ?",
                   s.params({std::string(id)})));
  OP_ASSIGN(auto r, tx_.query("DELETE FROM products WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("product", std::string(id));
  return {};
}

Status ProductRepository::bin(const Scope& scope, std::string_view id, Instant now) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_ASSIGN(auto r, tx_.query("UPDATE products SET deleted_at = ? WHERE " + s.where() +
                                  " AND id = ? AND deleted_at IS NULL",
                              params));
  if (r.affected == 0) return Error::not_found("product", std::string(id));
  OP_TRY(tx_.query("UPDATE skus SET deleted_at = ? WHERE " + s.where() +
                       " AND product_id = ? AND deleted_at IS NULL",
                   params));
  return {};
}

Status SkuRepository::bin(const Scope& scope, std::string_view id, Instant now) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{now.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  OP_ASSIGN(auto r, tx_.query("UPDATE skus SET deleted_at = ? WHERE " + s.where() +
                                  " AND id = ? AND deleted_at IS NULL",
                              params));
  if (r.affected == 0) return Error::not_found("sku", std::string(id));
  return {};
}

Status SkuRepository::insert(const Scope& scope, const Sku& s) {
  auto r = tx_.query(
      "INSERT INTO skus (" + std::string(kSkuColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {s.id, scope.project_id, s.product_id, opt(s.source_id), opt(s.sku), opt(s.price),
       opt(s.currency), to_json_text(s.definition), s.created_at.millis, opt(s.updated_at)});
  if (!r.ok()) return map_error(std::move(r).take_error(), "sku", s.source_id);
  return {};
}

Result<std::optional<Sku>> SkuRepository::find(const Scope& scope, std::string_view id_or_source_id,
                                               bool include_binned) {
  return find_one<Sku>(tx_, "skus", kSkuColumns, scope, id_or_source_id, sku_from_row,
                       include_binned);
}

Result<std::vector<Sku>> SkuRepository::find_many(const Scope& scope,
                                                  const std::vector<std::string>& keys) {
  return find_many_of<Sku>(tx_, "skus", kSkuColumns, scope, keys, sku_from_row);
}

Result<Page<Sku>> SkuRepository::list(const Scope& scope, std::string_view product_id,
                                      const ListQuery& query) {
  ListQuery q = query;
  if (!product_id.empty()) {
    q.required.push_back(FilterCondition{"product_id", FilterOp::kIs, {std::string(product_id)}});
  }
  return sql::list_page<Sku>(tx_, kSkus, scope, q, sku_from_row);
}

Status SkuRepository::update(const Scope& scope, const Sku& sku) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{opt(sku.sku), opt(sku.price), opt(sku.currency),
                                 to_json_text(sku.definition), opt(sku.updated_at)};
  s.bind(params);
  params.emplace_back(sku.id);
  auto r = tx_.query(
      "UPDATE skus SET sku = ?, price = ?, currency = ?, definition = ?, updated_at = ? WHERE " +
          s.where() + " AND id = ? AND deleted_at IS NULL",
      params);
  if (!r.ok()) return std::move(r).take_error();
  if (r->affected == 0) return Error::not_found("sku", sku.id);
  return {};
}

Status SkuRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM skus WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("sku", std::string(id));
  return {};
}

}  // namespace openpromo
