#include "store/metadata_schema_repository.h"

#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

using sql::opt;

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

Status MetadataSchemaRepository::insert(const Scope& scope, const MetadataSchema& m) {
  OP_ASSIGN(auto r, tx_.query("INSERT INTO metadata_schemas (" + std::string(kSchemaColumns) +
                                  ") VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT DO NOTHING",
                              {m.id, scope.project_id, m.related_object, to_json_text(m.definition),
                               m.created_at.millis}));
  if (r.affected == 0) {
    return Error::duplicate_found("metadata_schema",
                                  "A schema for " + m.related_object + " already exists");
  }
  return {};
}

Result<std::vector<MetadataSchema>> MetadataSchemaRepository::all(const Scope& scope) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs,
            tx_.query("SELECT " + std::string(kSchemaColumns) + " FROM metadata_schemas WHERE " +
                          s.where() + " ORDER BY created_at, id",
                      s.params()));
  std::vector<MetadataSchema> out;
  for (const auto& row : rs.rows) out.push_back(schema_from_row(row));
  return out;
}

Result<std::optional<MetadataSchema>> MetadataSchemaRepository::find(
    const Scope& scope, std::string_view id_or_object) {
  const sql::Scoped s(scope);
  const std::string key(id_or_object);
  OP_ASSIGN(auto rs,
            tx_.query("SELECT " + std::string(kSchemaColumns) + " FROM metadata_schemas WHERE " +
                          s.where() + " AND (id = ? OR related_object = ?)",
                      s.params({key, key})));
  if (rs.rows.empty()) return std::optional<MetadataSchema>{};
  return std::optional<MetadataSchema>(schema_from_row(rs.rows[0]));
}

Result<bool> MetadataSchemaRepository::update(const Scope& scope, const MetadataSchema& m,
                                              std::optional<Instant> read_updated_at) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{to_json_text(m.definition), opt(m.updated_at)};
  s.bind(params);
  params.emplace_back(m.id);
  params.emplace_back(read_updated_at ? read_updated_at->millis : int64_t{-1});
  OP_ASSIGN(auto r, tx_.query("UPDATE metadata_schemas SET definition = ?, updated_at = ? WHERE " +
                                  s.where() + " AND id = ? AND COALESCE(updated_at, -1) = ?",
                              params));
  return r.affected == 1;
}

Status MetadataSchemaRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM metadata_schemas WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("metadata_schema", std::string(id));
  return {};
}

}  // namespace openpromo
