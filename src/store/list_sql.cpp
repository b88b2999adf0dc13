#include "store/list_sql.h"

#include "store/scope_sql.h"

#include <charconv>
#include <string>
#include <vector>

namespace openpromo::sql {
namespace {

const ListField* find_field(const ListTable& table, std::string_view name) {
  for (const auto& f : table.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Result<Value> typed_value(const ListField& field, const std::string& raw) {
  switch (field.type) {
    case FieldType::kText:
      return Value(raw);
    case FieldType::kInteger: {
      int64_t n = 0;
      const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), n);
      if (ec != std::errc() || end != raw.data() + raw.size()) {
        return Error::invalid_query_params("filter on '" + std::string(field.name) +
                                           "' expects an integer, got '" + raw + "'");
      }
      return Value(n);
    }
    case FieldType::kTimestamp: {
      auto t = parse_iso8601(raw);
      if (!t) {
        return Error::invalid_query_params("filter on '" + std::string(field.name) +
                                           "' expects an ISO-8601 date, got '" + raw + "'");
      }
      return Value(t->millis);
    }
    case FieldType::kBoolean:
      if (raw == "true") return Value(int64_t{1});
      if (raw == "false") return Value(int64_t{0});
      return Error::invalid_query_params("filter on '" + std::string(field.name) +
                                         "' expects true or false, got '" + raw + "'");
  }
  return Error::internal("unknown field type");
}

std::string like_escape(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// Appends the SQL for one condition to `where`, and its parameters to `params`.
Status append_condition(const ListTable& table, const FilterCondition& cond, std::string& where,
                        std::vector<Value>& params) {
  const ListField* field = find_field(table, cond.field);
  if (!field) {
    return Error::invalid_query_params("cannot filter by '" + cond.field + "'");
  }
  const std::string col(field->column);
  auto need_values = [&](size_t n) -> Status {
    if (cond.values.size() < n) {
      return Error::invalid_query_params("filter on '" + cond.field + "' needs a value");
    }
    return {};
  };
  auto one = [&](std::string_view sql_op) -> Status {
    OP_TRY(need_values(1));
    OP_ASSIGN(Value v, typed_value(*field, cond.values.front()));
    where += col + " " + std::string(sql_op) + " ?";
    params.push_back(std::move(v));
    return {};
  };
  auto like = [&](std::string_view before, std::string_view after) -> Status {
    OP_TRY(need_values(1));
    if (field->type != FieldType::kText) {
      return Error::invalid_query_params("'" + cond.field + "' is not a text field");
    }
    where += col + " LIKE ? ESCAPE '\\'";
    params.emplace_back(std::string(before) + like_escape(cond.values.front()) +
                        std::string(after));
    return {};
  };
  auto list = [&](bool negate) -> Status {
    if (cond.values.empty()) {
      where += negate ? "1 = 1" : "1 = 0";
      return {};
    }
    where += negate ? "(" + col + " IS NULL OR " + col + " NOT IN (" : col + " IN (";
    for (size_t i = 0; i < cond.values.size(); ++i) {
      OP_ASSIGN(Value v, typed_value(*field, cond.values[i]));
      where += i ? ", ?" : "?";
      params.push_back(std::move(v));
    }
    where += negate ? "))" : ")";
    return {};
  };
  switch (cond.op) {
    case FilterOp::kIs:
      return one("=");
    case FilterOp::kIsNot: {
      OP_TRY(need_values(1));
      OP_ASSIGN(Value v, typed_value(*field, cond.values.front()));
      where += "(" + col + " IS NULL OR " + col + " <> ?)";
      params.push_back(std::move(v));
      return {};
    }
    case FilterOp::kIn:
      return list(false);
    case FilterOp::kNotIn:
      return list(true);
    case FilterOp::kHasValue:
      where += col + " IS NOT NULL";
      return {};
    case FilterOp::kIsUnknown:
      where += col + " IS NULL";
      return {};
    case FilterOp::kMoreThan:
      return one(">");
    case FilterOp::kMoreThanEqual:
      return one(">=");
    case FilterOp::kLessThan:
      return one("<");
    case FilterOp::kLessThanEqual:
      return one("<=");
    case FilterOp::kStartsWith:
      return like("", "%");
    case FilterOp::kEndsWith:
      return like("%", "");
    case FilterOp::kContains:
      return like("%", "%");
  }
  return Error::internal("unknown filter operator");
}

}  // namespace

Result<Page<Row>> list_rows(UnitOfWork& tx, const ListTable& table, const Scope& scope,
                            const ListQuery& query) {
  const ListField* order = find_field(table, query.order_field);
  if (!order || !order->sortable) {
    return Error::invalid_query_params("cannot order by '" + query.order_field + "'");
  }
  const std::string order_col(order->sort_column.empty() ? order->column : order->sort_column);

  const Scoped scoped =
      table.campaign_column.empty()
          ? Scoped(scope)
          : Scoped::campaign_rows(scope, table.campaign_column, {},
                                  table.parent_rows ? table.table : std::string_view{});
  std::string where = scoped.where();
  if (!table.base_condition.empty()) where += " AND " + std::string(table.base_condition);
  std::vector<Value> params = scoped.params();
  if (query.created_after) {
    where += " AND created_at > ?";
    params.emplace_back(query.created_after->millis);
  }
  if (query.created_before) {
    where += " AND created_at < ?";
    params.emplace_back(query.created_before->millis);
  }
  for (const FilterCondition& condition : query.required) {
    where += " AND ";
    OP_TRY(append_condition(table, condition, where, params));
  }
  if (!query.filters.empty()) {
    where += " AND (";
    for (size_t i = 0; i < query.filters.size(); ++i) {
      if (i) where += query.filters_or ? " OR " : " AND ";
      OP_TRY(append_condition(table, query.filters[i], where, params));
    }
    where += ")";
  }

  const std::string from = " FROM " + std::string(table.table) + " WHERE " + where;
  Page<Row> page;
  if (query.count_total) {
    OP_ASSIGN(ResultSet counted, tx.query("SELECT COUNT(*)" + from, params));
    page.total = counted.rows.at(0).integer(0);
  }

  std::string page_sql = "SELECT " + std::string(table.columns) + from;
  std::vector<Value> page_params = params;
  const char* cmp = query.descending ? "<" : ">";
  if (query.starting_after_id) {
    // The cursor is the anchor row's (order key, id): rows strictly after it in this order.
    OP_ASSIGN(ResultSet anchor,
              tx.query("SELECT " + order_col + " FROM " + std::string(table.table) + " WHERE " +
                           scoped.where() + " AND id = ?",
                       scoped.params({*query.starting_after_id})));
    if (anchor.rows.empty()) {
      return Error::invalid_query_params("starting_after_id '" + *query.starting_after_id +
                                         "' does not exist");
    }
    page_sql += " AND (" + order_col + ", id) " + cmp + " (?, ?)";
    page_params.push_back(anchor.rows[0].columns.at(0));
    page_params.emplace_back(*query.starting_after_id);
  }
  const char* dir = query.descending ? " DESC" : " ASC";
  page_sql += " ORDER BY " + order_col + dir + ", id" + dir + " LIMIT ? OFFSET ?";
  page_params.emplace_back(static_cast<int64_t>(query.limit) + 1);
  const int64_t offset =
      query.starting_after_id ? 0 : static_cast<int64_t>(query.page - 1) * query.limit;
  page_params.emplace_back(offset);

  OP_ASSIGN(ResultSet rows, tx.query(page_sql, page_params));
  page.has_more = rows.rows.size() > static_cast<size_t>(query.limit);
  if (page.has_more) rows.rows.resize(static_cast<size_t>(query.limit));
  page.items = std::move(rows.rows);
  return page;
}

}  // namespace openpromo::sql
