#include "store/scope_sql.h"

namespace openpromo::sql {
namespace {

// "<column> IN (?, ?, ...)" with the values appended; "0 = 1" for an empty list.
std::string in_list(const std::string& column, const std::vector<std::string>& ids,
                    std::vector<Value>& params) {
  if (ids.empty()) return "0 = 1";
  std::string out = column + " IN (";
  for (size_t i = 0; i < ids.size(); ++i) {
    out += i ? ", ?" : "?";
    params.emplace_back(ids[i]);
  }
  return out + ")";
}

std::vector<std::string> joined(const std::vector<std::string>& a,
                                const std::vector<std::string>& b) {
  std::vector<std::string> out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

// AreaGrants::meets (model/scope.cpp), per assignment row `a`.
Predicate campaign_visible(const Scope& scope, std::string_view campaign_column) {
  if (!scope.restricted) return {"1 = 1", {}};
  const AreaGrants& g = *scope.restricted;
  Predicate p;
  p.params.emplace_back(scope.project_id);
  // One statement per list: the placeholders' values must be appended in the order the text
  // names them (the operands of one `+` chain are evaluated in no fixed order).
  std::string meets = "(a.area_store_id IS NOT NULL AND (";
  meets += in_list("a.area_store_id", g.stores, p.params);
  meets += " OR ";
  meets += in_list("a.area_id", g.all_stores_of, p.params);
  meets += ")) OR (a.area_store_id IS NULL AND a.all_stores = 1 AND ";
  meets += in_list("a.area_id", joined(g.all_stores_of, g.areas_of_stores), p.params);
  meets += ") OR (a.area_store_id IS NULL AND a.all_stores = 0 AND ";
  meets += in_list("a.area_id", g.areas, p.params);
  meets += ")";
  p.sql =
      "EXISTS (SELECT 1 FROM campaign_assignments a WHERE a.project_id = ? AND a.campaign_id = " +
      std::string(campaign_column) + " AND (" + meets + "))";
  return p;
}

Predicate parent_or_campaign_visible(const Scope& scope, std::string_view table) {
  if (!scope.restricted) return {"1 = 1", {}};
  const std::string t(table);
  Predicate own = campaign_visible(scope, t + ".campaign_id");
  Predicate child = campaign_visible(scope, "ch.campaign_id");
  Predicate p;
  p.sql = "(" + own.sql + " OR (" + t + ".campaign_id IS NULL AND EXISTS (SELECT 1 FROM " + t +
          " ch WHERE ch.project_id = " + t + ".project_id AND ch.parent_id = " + t + ".id AND " +
          child.sql + ")))";
  p.params = std::move(own.params);
  for (Value& v : child.params) p.params.push_back(std::move(v));
  return p;
}

// AreaGrants::covers, for every assignment row; a campaign without any is owned by nobody.
Predicate campaign_owned(const Scope& scope, std::string_view campaign_column) {
  if (!scope.restricted) return {"1 = 1", {}};
  const AreaGrants& g = *scope.restricted;
  Predicate p;
  const std::string column(campaign_column);
  p.params.emplace_back(scope.project_id);
  p.params.emplace_back(scope.project_id);
  std::string covered = "(a.area_store_id IS NOT NULL AND (";
  covered += in_list("a.area_store_id", g.stores, p.params);
  covered += " OR ";
  covered += in_list("a.area_id", g.all_stores_of, p.params);
  covered += ")) OR (a.area_store_id IS NULL AND a.all_stores = 1 AND ";
  covered += in_list("a.area_id", g.all_stores_of, p.params);
  covered += ") OR (a.area_store_id IS NULL AND a.all_stores = 0 AND ";
  covered += in_list("a.area_id", g.areas, p.params);
  covered += ")";
  p.sql =
      "(EXISTS (SELECT 1 FROM campaign_assignments a WHERE a.project_id = ? AND a.campaign_id = " +
      column +
      ") AND NOT EXISTS (SELECT 1 FROM campaign_assignments a WHERE a.project_id = ? AND"
      " a.campaign_id = " +
      column + " AND NOT (" + covered + ")))";
  return p;
}

Predicate access_columns(const Scope& scope, std::string_view campaign_column, bool ownership) {
  if (!scope.restricted) return {};
  Predicate visible = campaign_visible(scope, campaign_column);
  if (!ownership)
    return {", CASE WHEN " + visible.sql + " THEN 1 ELSE 0 END", std::move(visible.params)};
  Predicate owned = campaign_owned(scope, campaign_column);
  Predicate out;
  out.sql = ", CASE WHEN " + visible.sql + " THEN 1 ELSE 0 END, CASE WHEN " + owned.sql +
            " THEN 1 ELSE 0 END";
  out.params = std::move(visible.params);
  for (Value& v : owned.params) out.params.push_back(std::move(v));
  return out;
}

}  // namespace openpromo::sql
