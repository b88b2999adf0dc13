#include "store/stacking_repository.h"

#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {

Result<bool> StackingRepository::insert_if_none(const Scope& scope, const StackingSettings& s) {
  OP_ASSIGN(auto r,
            tx_.query("INSERT INTO stacking_rules (id, project_id, definition, created_at,"
                      " updated_at) VALUES (?, ?, ?, ?, NULL) ON CONFLICT DO NOTHING",
                      {s.id, scope.project_id, to_json_text(s.definition), s.created_at.millis}));
  if (r.affected == 1) tx_.catalog_changed(scope.project_id);
  return r.affected == 1;
}

Result<std::optional<StackingSettings>> StackingRepository::find(const Scope& scope) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT id, project_id, definition, created_at, updated_at FROM"
                               " stacking_rules WHERE " +
                                   s.where(),
                               s.params()));
  if (rs.rows.empty()) return std::optional<StackingSettings>{};
  const sql::Row& r = rs.rows[0];
  StackingSettings out;
  out.id = r.text(0);
  out.project_id = r.text(1);
  out.definition = sql::json_definition(r, 2, out.unreadable);
  out.created_at = Instant{r.integer(3)};
  out.updated_at = sql::opt_time(r, 4);
  return std::optional<StackingSettings>(std::move(out));
}

Status StackingRepository::update(const Scope& scope, const StackingSettings& s) {
  const sql::Scoped sc(scope);
  std::vector<sql::Value> params{to_json_text(s.definition), sql::opt(s.updated_at)};
  sc.bind(params);
  params.emplace_back(s.id);
  OP_ASSIGN(auto r, tx_.query("UPDATE stacking_rules SET definition = ?, updated_at = ? WHERE " +
                                  sc.where() + " AND id = ?",
                              params));
  if (r.affected == 0) return Error::not_found("stacking_rules", s.id);
  tx_.catalog_changed(scope.project_id);
  return {};
}

Status StackingRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM stacking_rules WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("stacking_rules", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return {};
}

}  // namespace openpromo
