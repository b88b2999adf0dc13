#include "store/segment_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

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
  g.definition = sql::json_definition(r, 4, g.unreadable);
  g.created_at = Instant{r.integer(5)};
  return g;
}

template <class T>
Result<std::vector<T>> select_groups(UnitOfWork& tx, std::string_view table, const Scope& scope,
                                     std::string_view condition,
                                     std::initializer_list<sql::Value> extra) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs,
            tx.query("SELECT " + std::string(kGroupColumns) + " FROM " + std::string(table) +
                         " WHERE " + s.where() + std::string(condition),
                     s.params(extra)));
  std::vector<T> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(group_from_row<T>(row));
  return out;
}

std::vector<std::string> first_column(const sql::ResultSet& rs) {
  std::vector<std::string> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(row.text(0));
  return out;
}

}  // namespace

Status SegmentRepository::insert(const Scope& scope, const Segment& s,
                                 const std::vector<std::string>& customer_ids) {
  OP_TRY(tx_.query(
      "INSERT INTO segments (" + std::string(kGroupColumns) + ") VALUES (?, ?, ?, ?, ?, ?)",
      {s.id, scope.project_id, s.name, s.type, to_json_text(s.definition), s.created_at.millis}));
  for (const std::string& customer : customer_ids) {
    OP_TRY(
        tx_.query("INSERT INTO segment_customers (segment_id, customer_id) VALUES (?, ?)"
                  " ON CONFLICT DO NOTHING",
                  {s.id, customer}));
  }
  tx_.catalog_changed(scope.project_id);
  return Status{};
}

Result<std::optional<Segment>> SegmentRepository::find(const Scope& scope, std::string_view id) {
  OP_ASSIGN(auto found,
            select_groups<Segment>(tx_, "segments", scope, " AND id = ?", {std::string(id)}));
  if (found.empty()) return std::optional<Segment>{};
  return std::optional<Segment>(std::move(found.front()));
}

Result<Page<Segment>> SegmentRepository::list(const Scope& scope, const ListQuery& query) {
  return sql::list_page<Segment>(tx_, kSegments, scope, query, group_from_row<Segment>);
}

Result<std::vector<Segment>> SegmentRepository::all(const Scope& scope) {
  return select_groups<Segment>(tx_, "segments", scope, " ORDER BY id", {});
}

Status SegmentRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_TRY(
      tx_.query("DELETE FROM segment_customers WHERE segment_id IN"
                " (SELECT id FROM segments WHERE " +
                    s.where() + " AND id = ?)",
                s.params({std::string(id)})));
  OP_ASSIGN(auto r, tx_.query("DELETE FROM segments WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("segment", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return Status{};
}

Result<std::vector<std::string>> SegmentRepository::static_segments_of(
    const Scope& scope, std::string_view customer_id) {
  const sql::Scoped s(scope, "s");
  OP_ASSIGN(auto rs, tx_.query("SELECT m.segment_id FROM segment_customers m"
                               " JOIN segments s ON s.id = m.segment_id WHERE " +
                                   s.where() +
                                   " AND m.customer_id = ? AND s.type = 'static'"
                                   " ORDER BY m.segment_id",
                               s.params({std::string(customer_id)})));
  return first_column(rs);
}

Result<std::vector<std::string>> SegmentRepository::recorded_segments_of(
    const Scope& scope, std::string_view customer_id) {
  const sql::Scoped s(scope, "s");
  OP_ASSIGN(auto rs, tx_.query("SELECT m.segment_id FROM segment_customers m"
                               " JOIN segments s ON s.id = m.segment_id WHERE " +
                                   s.where() +
                                   " AND m.customer_id = ? AND s.type <> 'static'"
                                   " ORDER BY m.segment_id",
                               s.params({std::string(customer_id)})));
  return first_column(rs);
}

Result<bool> SegmentRepository::set_member(const Scope& scope, std::string_view segment_id,
                                           std::string_view customer_id, bool member) {
  const sql::Scoped s(scope);
  // The segment must be the scope's: membership rows carry no project of their own.
  const std::string sql =
      member ? "INSERT INTO segment_customers (segment_id, customer_id) SELECT id, ? FROM"
               " segments WHERE " +
                   s.where() + " AND id = ? ON CONFLICT DO NOTHING"
             : "DELETE FROM segment_customers WHERE customer_id = ? AND segment_id IN (SELECT id"
               " FROM segments WHERE " +
                   s.where() + " AND id = ?)";
  std::vector<sql::Value> params{std::string(customer_id)};
  s.bind(params);
  params.emplace_back(std::string(segment_id));
  OP_ASSIGN(auto r, tx_.query(sql, params));
  return r.affected == 1;
}

Result<int64_t> SegmentRepository::remove_memberships_of(const Scope& scope,
                                                         std::string_view customer_id) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{std::string(customer_id)};
  s.bind(params);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM segment_customers WHERE customer_id = ? AND"
                              " segment_id IN (SELECT id FROM segments WHERE " +
                                  s.where() + ")",
                              params));
  return r.affected;
}

Status CollectionRepository::insert(const Scope& scope, const ProductCollection& c,
                                    int64_t max_per_project) {
  // The project row lock serialises creates of one project, so the cap holds exactly.
  OP_TRY(tx_.query("UPDATE projects SET id = id WHERE id = ?", {scope.project_id}));
  const sql::Scoped s(scope);
  OP_ASSIGN(auto count,
            tx_.query("SELECT COUNT(*) FROM product_collections WHERE " + s.where(), s.params()));
  if (count.rows.at(0).integer(0) >= max_per_project) {
    return Error::invalid_payload("a project has at most " + std::to_string(max_per_project) +
                                  " product collections");
  }
  OP_TRY(tx_.query(
      "INSERT INTO product_collections (" + std::string(kGroupColumns) +
          ") VALUES (?, ?, ?, ?, ?, ?)",
      {c.id, scope.project_id, c.name, c.type, to_json_text(c.definition), c.created_at.millis}));
  tx_.catalog_changed(scope.project_id);
  return Status{};
}

Result<std::optional<ProductCollection>> CollectionRepository::find(const Scope& scope,
                                                                    std::string_view id) {
  OP_ASSIGN(auto found, select_groups<ProductCollection>(tx_, "product_collections", scope,
                                                         " AND id = ?", {std::string(id)}));
  if (found.empty()) return std::optional<ProductCollection>{};
  return std::optional<ProductCollection>(std::move(found.front()));
}

Result<Page<ProductCollection>> CollectionRepository::list(const Scope& scope,
                                                           const ListQuery& query) {
  return sql::list_page<ProductCollection>(tx_, kCollections, scope, query,
                                           group_from_row<ProductCollection>);
}

Result<std::vector<ProductCollection>> CollectionRepository::all(const Scope& scope) {
  return select_groups<ProductCollection>(tx_, "product_collections", scope, " ORDER BY id", {});
}

Status CollectionRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM product_collections WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("products_collection", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return {};
}

}  // namespace openpromo
