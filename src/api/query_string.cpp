#include "api/query_string.h"

#include <cctype>
#include <charconv>

namespace openpromo::api {

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
        return std::nullopt;
      }
      int value = 0;
      std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

// Splits `base[a][b]` into {"base", "a", "b"}; a name with unbalanced brackets stays whole.
std::vector<std::string> split_name(const std::string& name) {
  const auto open = name.find('[');
  if (open == std::string::npos || open == 0) return {name};
  std::vector<std::string> parts{name.substr(0, open)};
  size_t pos = open;
  while (pos < name.size()) {
    if (name[pos] != '[') return {name};
    const auto close = name.find(']', pos);
    if (close == std::string::npos) return {name};
    parts.push_back(name.substr(pos + 1, close - pos - 1));
    pos = close + 1;
  }
  return parts;
}

Result<int> parse_int_param(const std::string& name, const std::string& raw) {
  int value = 0;
  const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (raw.empty() || ec != std::errc() || end != raw.data() + raw.size()) {
    return Error::invalid_query_params(name + " must be an integer, got '" + raw + "'");
  }
  return value;
}

}  // namespace

QueryParams QueryParams::parse(std::string_view query) {
  QueryParams out;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string_view raw_name = pair.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    // A malformed escape keeps the raw text: the parameter is then rejected or ignored by
    // whoever reads it, which is clearer than dropping it silently.
    out.params_.push_back(
        QueryParam{split_name(percent_decode(raw_name, true).value_or(std::string(raw_name))),
                   percent_decode(raw_value, true).value_or(std::string(raw_value))});
  }
  return out;
}

std::optional<std::string> QueryParams::get(std::string_view name) const {
  std::optional<std::string> found;
  for (const auto& p : params_) {
    if (p.path.size() == 1 && p.path[0] == name) found = p.value;
  }
  return found;
}

Result<ListQuery> parse_list_query(const QueryParams& params, int default_limit) {
  ListQuery q;
  q.limit = default_limit;
  q.descending = true;  // Voucherify lists newest first unless `order` says otherwise
  if (auto limit = params.get("limit")) {
    OP_ASSIGN(q.limit, parse_int_param("limit", *limit));
    if (q.limit < 1 || q.limit > ListQuery::kMaxLimit) {
      return Error::invalid_query_params("limit must be between 1 and " +
                                         std::to_string(ListQuery::kMaxLimit));
    }
  }
  if (auto page = params.get("page")) {
    OP_ASSIGN(q.page, parse_int_param("page", *page));
    if (q.page < 1) return Error::invalid_query_params("page must be 1 or more");
    if (q.page > ListQuery::kMaxPage) {
      return Error{400,
                   "page_over_limit",
                   "Page over limit",
                   "page must not exceed " + std::to_string(ListQuery::kMaxPage) +
                       "; use starting_after_id to read further",
                   {},
                   {}};
    }
  }
  if (auto order = params.get("order")) {
    if (order->empty() || *order == "-") return Error::invalid_query_params("order is empty");
    q.descending = order->front() == '-';
    q.order_field = q.descending ? order->substr(1) : *order;
  }
  if (auto after = params.get("starting_after_id")) {
    if (after->empty()) return Error::invalid_query_params("starting_after_id is empty");
    q.starting_after_id = *after;
  }

  for (const auto& p : params.all()) {
    const auto& path = p.path;
    if (path.size() == 2 && path[0] == "created_at") {
      auto t = parse_iso8601(p.value);
      if (!t) {
        return Error::invalid_query_params("created_at[" + path[1] +
                                           "] must be an ISO-8601 date, got '" + p.value + "'");
      }
      if (path[1] == "before") {
        q.created_before = t;
      } else if (path[1] == "after") {
        q.created_after = t;
      } else {
        return Error::invalid_query_params("unknown parameter created_at[" + path[1] + "]");
      }
      continue;
    }
    if (path.empty() || path[0] != "filters") continue;
    if (path.size() == 2 && path[1] == "junction") {
      if (p.value == "and" || p.value == "AND") {
        q.filters_or = false;
      } else if (p.value == "or" || p.value == "OR") {
        q.filters_or = true;
      } else {
        return Error::invalid_query_params("filters[junction] must be 'and' or 'or'");
      }
      continue;
    }
    // filters[<field>][conditions][$op] = v, or filters[<field>][conditions][$op][<i>] = v
    if ((path.size() != 4 && path.size() != 5) || path[1].empty() || path[2] != "conditions") {
      std::string name = "filters";
      for (size_t i = 1; i < path.size(); ++i) name += "[" + path[i] + "]";
      return Error::invalid_query_params("malformed filter parameter " + name);
    }
    auto op = filter_op_from_string(path[3]);
    if (!op) return Error::invalid_query_params("unknown filter operator " + path[3]);
    FilterCondition* cond = nullptr;
    for (auto& existing : q.filters) {
      if (existing.field == path[1] && existing.op == *op) cond = &existing;
    }
    if (!cond) {
      q.filters.push_back(FilterCondition{path[1], *op, {}});
      cond = &q.filters.back();
    }
    cond->values.push_back(p.value);
  }
  return q;
}

}  // namespace openpromo::api
