// The one translation of a Scope into SQL. Every repository query is scoped through it: the
// predicate leads the WHERE clause and its values lead the parameters, so a query cannot forget
// the project, or the areas and stores of a restricted caller, it runs in.
//
// Rows that belong to a campaign (campaigns, vouchers, promotion tiers, redemptions,
// publications) are scoped with `Scoped::campaign_rows(scope, column)`: for a restricted scope
// the predicate also requires the campaign named by `column` to be visible (model/scope.h: one of
// its assignments meets one of the caller's). Lookups of one row that must tell "not yours"
// (403) from "not there" (404) select `access(...)` as a column instead, and edits require
// `ownership(...)`. Unrestricted scopes add nothing: `project_id = ?` stays the whole predicate.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "model/scope.h"
#include "store/sql.h"

namespace openpromo::sql {

// A SQL boolean expression with its parameters, to splice into a query.
struct Predicate {
  std::string sql;
  std::vector<Value> params;
};

// Whether the campaign `campaign_column` names is visible to `scope` ("1" when unrestricted).
Predicate campaign_visible(const Scope& scope, std::string_view campaign_column);
// campaign_visible for `table.campaign_id`, or, for a row without one, for any of its children.
Predicate parent_or_campaign_visible(const Scope& scope, std::string_view table);
// Whether `scope` owns that campaign (each of its assignments covered; "1" when unrestricted).
Predicate campaign_owned(const Scope& scope, std::string_view campaign_column);

// For lookups of one campaign-bound row: ", <visible>, <owned>" as two 0/1 columns to append to
// a SELECT list (empty for unrestricted scopes), with their parameters, which go before the
// WHERE clause's. The repository answers 403 `forbidden` for a row found but not visible, and
// marks a visible row the caller does not own as read-only.
// `ownership` false: the visibility column only (lookups that only use the row).
Predicate access_columns(const Scope& scope, std::string_view campaign_column,
                         bool ownership = true);

class Scoped {
 public:
  // `alias`: the table alias the predicate qualifies (`c` -> `c.project_id = ?`).
  explicit Scoped(const Scope& scope, std::string_view alias = {})
      : where_(alias.empty() ? "project_id = ?" : std::string(alias) + ".project_id = ?"),
        project_id_(scope.project_id) {
    params_.emplace_back(project_id_);
  }
  // Rows of campaigns: `campaign_column` (e.g. "campaign_id", "id") names the campaign, and a
  // restricted scope sees only rows of campaigns it sees.
  // `parent_table`: rows of this table without a campaign of their own (a stacked redemption's
  // parent) are seen when one of their children (`parent_id` = the row's id) is.
  static Scoped campaign_rows(const Scope& scope, std::string_view campaign_column,
                              std::string_view alias = {}, std::string_view parent_table = {}) {
    Scoped s(scope, alias);
    if (scope.restricted) {
      Predicate p = parent_table.empty() ? campaign_visible(scope, campaign_column)
                                         : parent_or_campaign_visible(scope, parent_table);
      s.where_ += " AND " + p.sql;
      for (Value& v : p.params) s.params_.push_back(std::move(v));
    }
    return s;
  }

  // "project_id = ?" (and the visibility of campaign rows): put first in WHERE.
  const std::string& where() const { return where_; }
  // The predicate's values followed by `rest`.
  std::vector<Value> params(std::initializer_list<Value> rest = {}) const {
    std::vector<Value> out;
    out.reserve(rest.size() + params_.size());
    out.insert(out.end(), params_.begin(), params_.end());
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
  }
  // Appends the predicate's values to `params` (for queries built piece by piece).
  void bind(std::vector<Value>& params) const {
    params.insert(params.end(), params_.begin(), params_.end());
  }
  const std::string& project_id() const { return project_id_; }

 private:
  std::string where_;
  std::string project_id_;
  std::vector<Value> params_;
};

}  // namespace openpromo::sql
