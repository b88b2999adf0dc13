#include "rules/rule_set.h"

#include "rules/filter.h"  // implemented at the end: filters reuse the operators

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <set>

namespace openpromo::rules {

namespace {

constexpr int kMaxDepth = 8;
constexpr size_t kMaxNodes = 200;
constexpr size_t kMaxValues = 100;
constexpr int64_t kDayMs = 86'400'000;

enum class Op {
  kIs,
  kIsNot,
  kIn,
  kNotIn,
  kLessThan,
  kLessThanOrEqual,
  kMoreThan,
  kMoreThanOrEqual,
  kStartsWith,
  kEndsWith,
  kContains,
  kNotContain,
  kTimeframe,
  kTimeframeAbsolute,
  kTimeframeDailyHours,
  kDow,
  kCount,
  kCountMore,
  kCountLess,
  kNotDiffer,
  kNotIntersect,
  kFrom,
  kAfter,
  kBefore,
  kMoreThanAgo,
  kLessThanAgo,
  kIsDaysAgo,
  kMoreThanFuture,
  kLessThanFuture,
  kIsDaysInFuture,
  kHasValue,
  kIsUnknown
};

struct OpName {
  std::string_view name;
  Op op;
};

// Spec 7.4, plus the aliases seen in Voucherify's docs.
constexpr std::array kOperators = {
    OpName{"$is", Op::kIs},
    OpName{"$is_not", Op::kIsNot},
    OpName{"$in", Op::kIn},
    OpName{"$not_in", Op::kNotIn},
    OpName{"$less_than", Op::kLessThan},
    OpName{"$less_than_or_equal", Op::kLessThanOrEqual},
    OpName{"$less_than_equal", Op::kLessThanOrEqual},  // the list filters' spelling (spec 4.3)
    OpName{"$more_than", Op::kMoreThan},
    OpName{"$greater_than", Op::kMoreThan},
    OpName{"$more_than_or_equal", Op::kMoreThanOrEqual},
    OpName{"$more_than_equal", Op::kMoreThanOrEqual},
    OpName{"$greater_than_or_equal", Op::kMoreThanOrEqual},
    OpName{"$starts_with", Op::kStartsWith},
    OpName{"$ends_with", Op::kEndsWith},
    OpName{"$contains", Op::kContains},
    OpName{"$not_contain", Op::kNotContain},
    OpName{"$timeframe", Op::kTimeframe},
    OpName{"$timeframe_absolute", Op::kTimeframeAbsolute},
    OpName{"$timeframe_daily_hours", Op::kTimeframeDailyHours},
    OpName{"$dow", Op::kDow},
    OpName{"$count", Op::kCount},
    OpName{"$count_more", Op::kCountMore},
    OpName{"$count_less", Op::kCountLess},
    OpName{"$not_differ", Op::kNotDiffer},
    OpName{"$not_intersect", Op::kNotIntersect},
    OpName{"$from", Op::kFrom},
    OpName{"$after", Op::kAfter},
    OpName{"$before", Op::kBefore},
    OpName{"$more_than_ago", Op::kMoreThanAgo},
    OpName{"$less_than_ago", Op::kLessThanAgo},
    OpName{"$is_days_ago", Op::kIsDaysAgo},
    OpName{"$more_than_future", Op::kMoreThanFuture},
    OpName{"$less_than_future", Op::kLessThanFuture},
    OpName{"$is_days_in_future", Op::kIsDaysInFuture},
    OpName{"$has_value", Op::kHasValue},
    OpName{"$is_unknown", Op::kIsUnknown},
};

// Names that select order lines and evaluate their sub-rules per line.
enum class ItemMode { kAny, kEvery, kNone, kCheapest, kMostExpensive };

// Spec 7.3, including the sub-rule names used under item-structure nodes.
constexpr std::array<std::string_view, 66> kRuleNames = {
    "customer.segment",
    "customer.metadata",
    "customer.loyalty.tier",
    "order.amount",
    "order.total_amount",
    "order.initial_amount",
    "order.items.count",
    "order.items.price_any",
    "order.items.price_each",
    "order.items.metadata_any",
    "order.items.metadata_each",
    "order.metadata",
    "order.items.any",
    "order.items.every",
    "order.items.none",
    "order.items.cheapest",
    "order.items.most_expensive",
    "order.items.quantity",
    "order.items.aggregated_quantity",
    "order.items.price",
    "order.items.aggregated_amount",
    "order.items.metadata",
    "order.items.amount",
    "product.id",
    "product.price",
    "product.quantity",
    "product.discount_applicable",
    "product.metadata",
    "product.metadata.aggregated_quantity",
    "product.metadata.aggregated_amount",
    "product.metadata.discount_applicable",
    "product.metadata.match_all",
    "sku.id",
    "sku.price",
    "sku.quantity",
    "sku.discount_applicable",
    "campaign.orders.amount_discounted",
    "campaign.orders.amount",
    "campaign.redemptions.count",
    "campaign.redemptions.count.daily",
    "campaign.redemptions.count.weekly",
    "campaign.redemptions.count.monthly",
    "campaign.redemptions.customers_count",
    "campaign.redemptions.customers_count.daily",
    "campaign.redemptions.customers_count.weekly",
    "campaign.redemptions.customers_count.monthly",
    "redemption.gift.amount",
    "redemption.count.daily",
    "redemption.count.weekly",
    "redemption.count.monthly",
    "redemption.count.per_customer",
    "redemption.count.per_customer.daily",
    "redemption.count.per_customer.weekly",
    "redemption.count.per_customer.monthly",
    "redemption.api_key",
    "redemption.count.per_api_key",
    "redemption.user.login",
    "redemption.count.per_user",
    "redemption.metadata",
    "redemption.reward.pay_with_points.points_used",
    "publication.redeemable_by_linked_customer",
    "custom_event.metadata",
    "order.items.source_id",
    "order.items.product_id",
    "order.items.sku_id",
    "order.status"};

bool needs_property(std::string_view name) {
  return name == "customer.metadata" || name == "order.metadata" ||
         name == "order.items.metadata" || name == "order.items.metadata_any" ||
         name == "order.items.metadata_each" || name == "product.metadata" ||
         name == "redemption.metadata" || name == "custom_event.metadata";
}

std::optional<ItemMode> item_mode_of(std::string_view name) {
  if (name == "order.items.any" || name == "product.id" || name == "sku.id") return ItemMode::kAny;
  if (name == "order.items.every") return ItemMode::kEvery;
  if (name == "order.items.none") return ItemMode::kNone;
  if (name == "order.items.cheapest") return ItemMode::kCheapest;
  if (name == "order.items.most_expensive") return ItemMode::kMostExpensive;
  return std::nullopt;
}

RuleGroup group_of(std::string_view name) {
  if (name.starts_with("customer.") || name.starts_with("publication.")) {
    return RuleGroup::kCustomer;
  }
  if (name.starts_with("campaign.") || name.starts_with("redemption.")) {
    return RuleGroup::kRedemption;
  }
  return RuleGroup::kOrder;
}

bool reads_customer(std::string_view name) {
  return name.starts_with("customer.") || name.starts_with("redemption.count.per_customer") ||
         name.starts_with("publication.");
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---- logic expressions -------------------------------------------------------------------------

struct Logic {
  enum class Type { kLeaf, kAnd, kOr };
  Type type = Type::kLeaf;
  size_t leaf = 0;  // 0-based node index
  std::vector<Logic> children;
};

class LogicParser {
 public:
  LogicParser(std::string_view text, size_t node_count) : text_(text), count_(node_count) {}

  Result<Logic> parse(std::vector<bool>& referenced) {
    referenced_ = &referenced;
    OP_ASSIGN(Logic expr, parse_or(0));
    skip_space();
    if (pos_ != text_.size()) return fail("unexpected text at position " + std::to_string(pos_));
    return expr;
  }

 private:
  Error fail(const std::string& why) {
    Error e = Error::invalid_payload("logic '" + std::string(text_) + "': " + why);
    e.key = "invalid_validation_rules";
    return e;
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool keyword(std::string_view word) {
    skip_space();
    if (text_.size() - pos_ < word.size()) return false;
    if (lower(text_.substr(pos_, word.size())) != word) return false;
    const size_t end = pos_ + word.size();
    if (end < text_.size() && std::isalnum(static_cast<unsigned char>(text_[end]))) return false;
    pos_ = end;
    return true;
  }
  Result<Logic> parse_or(int depth) {
    if (depth > 32) return fail("too deeply nested");
    OP_ASSIGN(Logic first, parse_and(depth));
    Logic node{Logic::Type::kOr, 0, {}};
    node.children.push_back(std::move(first));
    while (keyword("or")) {
      OP_ASSIGN(Logic next, parse_and(depth));
      node.children.push_back(std::move(next));
    }
    if (node.children.size() == 1) return std::move(node.children.front());
    return node;
  }
  Result<Logic> parse_and(int depth) {
    OP_ASSIGN(Logic first, parse_factor(depth));
    Logic node{Logic::Type::kAnd, 0, {}};
    node.children.push_back(std::move(first));
    while (keyword("and")) {
      OP_ASSIGN(Logic next, parse_factor(depth));
      node.children.push_back(std::move(next));
    }
    if (node.children.size() == 1) return std::move(node.children.front());
    return node;
  }
  Result<Logic> parse_factor(int depth) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      OP_ASSIGN(Logic inner, parse_or(depth + 1));
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ')') return fail("missing ')'");
      ++pos_;
      return inner;
    }
    size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    if (start == pos_ || pos_ - start > 4) return fail("expected a rule number");
    const size_t number = std::stoul(std::string(text_.substr(start, pos_ - start)));
    if (number < 1 || number > count_) {
      return fail("rule " + std::to_string(number) + " does not exist");
    }
    (*referenced_)[number - 1] = true;
    return Logic{Logic::Type::kLeaf, number - 1, {}};
  }

  std::string_view text_;
  size_t count_;
  size_t pos_ = 0;
  std::vector<bool>* referenced_ = nullptr;
};

}  // namespace

// ---- compiled tree ------------------------------------------------------------------------------

struct Condition {
  Op op;
  std::string op_name;
  JsonArray values;
  std::vector<ItemRef> refs;  // item-structure nodes: the values as item references
};

struct Node {
  std::string path;
  std::string name;
  std::string property;
  std::optional<ItemMode> item_mode;
  RuleGroup group = RuleGroup::kOrder;
  std::vector<Condition> conditions;
  std::vector<Node> children;
  Logic logic;
  std::optional<std::string> message;
};

struct RuleSet::Tree {
  std::vector<Node> nodes;
  Logic logic;
  size_t count = 0;
};

Value Value::of_json(const Json* v) {
  if (!v || v->is_null()) return null();
  if (v->is_bool()) return of_bool(v->as_bool());
  if (v->is_string()) return of(std::string_view(v->as_string()));
  if (json_is_number(*v)) return of(json_number(*v));
  if (v->is_array()) {
    Value out;
    out.kind = Kind::kArray;
    out.array = &v->as_array();
    return out;
  }
  return null();
}

bool is_known_rule_name(std::string_view name) {
  return std::find(kRuleNames.begin(), kRuleNames.end(), name) != kRuleNames.end();
}

std::optional<std::string_view> canonical_rule_name(std::string_view name) {
  if (is_known_rule_name(name)) return name;
  // The reference's older catalogue spells names with underscores (`customer_segment`,
  // `order_amount`, `redemption_count_per_customer`); each is the dotted name with every dot an
  // underscore, and no two dotted names collide that way.
  if (name.find('.') != std::string_view::npos) return std::nullopt;
  for (std::string_view known : kRuleNames) {
    if (known.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < known.size() && same; ++i) {
      same = known[i] == name[i] || (known[i] == '.' && name[i] == '_');
    }
    if (same) return known;
  }
  return std::nullopt;
}

namespace {

Error invalid_rules(const std::string& path, const std::string& why) {
  Error e = Error::invalid_payload(path.empty() ? why : "Rule '" + path + "': " + why);
  e.key = "invalid_validation_rules";
  e.message = "Invalid validation rules";
  return e;
}

Result<ItemRef> item_ref_of(const Json& v, const std::string& path) {
  ItemRef ref;
  if (v.is_string()) {
    ref.id = std::string(v.as_string());
    return ref;
  }
  if (!v.is_object()) return invalid_rules(path, "item conditions take ids or {id, object}");
  const JsonObject& o = v.as_object();
  auto text = [&](std::string_view key) -> std::string {
    const Json* f = o.if_contains(key);
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
  };
  ref.id = text("id");
  ref.object = text("object");
  ref.source_id = text("source_id");
  if (ref.id.empty() && ref.source_id.empty()) {
    return invalid_rules(path, "an item condition needs an id or a source_id");
  }
  if (!ref.object.empty() && ref.object != "product" && ref.object != "sku" &&
      ref.object != "products_collection") {
    return invalid_rules(path, "item object must be product, sku or products_collection");
  }
  return ref;
}

Result<std::vector<Node>> compile_nodes(const JsonObject& rules, const std::string& prefix,
                                        int depth, size_t& total, Logic& logic_out);

Result<Node> compile_node(const Json& value, const std::string& path, int depth, size_t& total) {
  if (++total > kMaxNodes) return invalid_rules("", "too many rule nodes (at most 200)");
  if (!value.is_object()) return invalid_rules(path, "must be an object");
  const JsonObject& o = value.as_object();
  Node node;
  node.path = path;
  const Json* name = o.if_contains("name");
  if (!name || !name->is_string()) return invalid_rules(path, "name is required");
  const auto canonical = canonical_rule_name(name->as_string());
  if (!canonical) {
    return invalid_rules(path, "unknown rule name " + std::string(name->as_string()));
  }
  node.name = std::string(*canonical);
  node.group = group_of(node.name);
  node.item_mode = item_mode_of(node.name);
  if (const Json* property = o.if_contains("property"); property && property->is_string()) {
    node.property = std::string(property->as_string());
  }
  if (needs_property(node.name) && node.property.empty()) {
    return invalid_rules(path, "Rule '" + node.name + "' must have a 'property'");
  }
  if (const Json* error = o.if_contains("error"); error && error->is_object()) {
    if (const Json* m = error->as_object().if_contains("message"); m && m->is_string()) {
      node.message = std::string(m->as_string());
    }
  }
  if (const Json* conditions = o.if_contains("conditions"); conditions && !conditions->is_null()) {
    if (!conditions->is_object()) return invalid_rules(path, "conditions must be an object");
    for (const auto& [key, values] : conditions->as_object()) {
      const std::string_view op_name = key;  // structured bindings cannot be captured (C++20)
      const auto it = std::find_if(kOperators.begin(), kOperators.end(),
                                   [&](const OpName& op) { return op.name == op_name; });
      if (it == kOperators.end()) {
        return invalid_rules(path, "unknown operator " + std::string(key));
      }
      Condition condition{it->op, std::string(key), {}, {}};
      if (values.is_array()) {
        condition.values = values.as_array();
      } else {
        condition.values.push_back(values);  // a bare value is read as a one-value list
      }
      if (condition.values.size() > kMaxValues) {
        return invalid_rules(path, "at most 100 values per condition");
      }
      const bool no_values = condition.op == Op::kHasValue || condition.op == Op::kIsUnknown;
      if (condition.values.empty() && !no_values) {
        return invalid_rules(path, std::string(key) + " needs at least one value");
      }
      if (node.item_mode) {
        for (const Json& v : condition.values) {
          OP_ASSIGN(ItemRef ref, item_ref_of(v, path));
          condition.refs.push_back(std::move(ref));
        }
      }
      node.conditions.push_back(std::move(condition));
    }
  }
  if (const Json* sub = o.if_contains("rules");
      sub && sub->is_object() && !sub->as_object().empty()) {
    if (depth + 1 > kMaxDepth) return invalid_rules(path, "rules nest more than 8 levels");
    OP_ASSIGN(node.children,
              compile_nodes(sub->as_object(), path + ".", depth + 1, total, node.logic));
  } else if (sub && !sub->is_null() && !sub->is_object()) {
    return invalid_rules(path, "rules must be an object");
  }
  return node;
}

Result<std::vector<Node>> compile_nodes(const JsonObject& rules, const std::string& prefix,
                                        int depth, size_t& total, Logic& logic_out) {
  size_t count = 0;
  for (const auto& [key, value] : rules) {
    if (key == "logic") continue;
    const bool digits =
        !key.empty() && key.size() <= 4 &&
        std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) return invalid_rules(prefix + std::string(key), "rule keys are numbers from 1");
    ++count;
  }
  std::vector<Node> nodes;
  nodes.reserve(count);
  for (size_t i = 1; i <= count; ++i) {
    const Json* value = rules.if_contains(std::to_string(i));
    if (!value) {
      return invalid_rules(prefix + std::to_string(i), "rule numbers must run from 1 without gaps");
    }
    OP_ASSIGN(Node node, compile_node(*value, prefix + std::to_string(i), depth, total));
    nodes.push_back(std::move(node));
  }
  const Json* logic = rules.if_contains("logic");
  if (logic && logic->is_string() && !logic->as_string().empty()) {
    std::vector<bool> referenced(count, false);
    LogicParser parser(logic->as_string(), count);
    auto parsed = parser.parse(referenced);
    if (!parsed.ok()) return std::move(parsed).take_error();
    for (size_t i = 0; i < count; ++i) {
      if (!referenced[i]) {
        return invalid_rules(prefix + std::to_string(i + 1), "is not referenced by logic");
      }
    }
    logic_out = std::move(parsed).value();
  } else if (logic && !logic->is_null() && !logic->is_string()) {
    return invalid_rules(prefix, "logic must be a string");
  } else {
    // No logic: every node must hold.
    logic_out = Logic{Logic::Type::kAnd, 0, {}};
    for (size_t i = 0; i < count; ++i)
      logic_out.children.push_back(Logic{Logic::Type::kLeaf, i, {}});
  }
  return nodes;
}

// ---- evaluation ---------------------------------------------------------------------------------

struct Scope {
  std::optional<size_t> item;                  // the line sub-rules are evaluated for
  const std::vector<size_t>* group = nullptr;  // the lines aggregated sub-rules sum over
};

Json to_json(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return nullptr;
    case Value::Kind::kNumber:
      if (std::floor(v.number) == v.number && std::abs(v.number) < 9e15) {
        return static_cast<int64_t>(v.number);
      }
      return v.number;
    case Value::Kind::kString:
      return boost::json::string(v.text);
    case Value::Kind::kBool:
      return v.boolean;
    case Value::Kind::kArray:
      return *v.array;
  }
  return nullptr;
}

std::optional<Instant> instant_of(const Value& v) {
  if (v.kind == Value::Kind::kString) return parse_iso8601(v.text);
  if (v.kind == Value::Kind::kNumber) return Instant{static_cast<int64_t>(v.number)};
  return std::nullopt;
}

std::optional<Instant> instant_of(const Json& v) {
  if (v.is_string()) return parse_iso8601(v.as_string());
  return std::nullopt;
}

bool equals(const Value& v, const Json& arg) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return arg.is_null();
    case Value::Kind::kNumber:
      return json_is_number(arg) && json_number(arg) == v.number;
    case Value::Kind::kString:
      if (arg.is_string()) return arg.as_string() == v.text;
      // "12" vs 12: metadata often carries numbers as text; the whole text must be the number.
      if (!json_is_number(arg) || v.text.empty() || v.text.size() > 40) return false;
      {
        const std::string text(v.text);
        char* end = nullptr;
        const double parsed = std::strtod(text.c_str(), &end);
        return end == text.c_str() + text.size() && parsed == json_number(arg);
      }
    case Value::Kind::kBool:
      return arg.is_bool() && arg.as_bool() == v.boolean;
    case Value::Kind::kArray:
      return std::any_of(v.array->begin(), v.array->end(), [&](const Json& e) { return e == arg; });
  }
  return false;
}

bool any_equals(const Value& v, const JsonArray& args) {
  return std::any_of(args.begin(), args.end(), [&](const Json& a) { return equals(v, a); });
}

// -1, 0, 1, or nullopt when the two cannot be compared.
std::optional<int> compare(const Value& v, const Json& arg) {
  if (v.kind == Value::Kind::kNumber && json_is_number(arg)) {
    const double a = v.number, b = json_number(arg);
    return a < b ? -1 : (a > b ? 1 : 0);
  }
  if (v.kind == Value::Kind::kString) {
    const auto a = instant_of(v);
    const auto b = instant_of(arg);
    if (a && b) return *a < *b ? -1 : (*a > *b ? 1 : 0);
  }
  return std::nullopt;
}

bool text_op(const Value& v, const JsonArray& args, Op op) {
  if (v.kind != Value::Kind::kString) return false;
  return std::any_of(args.begin(), args.end(), [&](const Json& a) {
    if (!a.is_string()) return false;
    const std::string_view needle = a.as_string();
    if (op == Op::kStartsWith) return v.text.starts_with(needle);
    if (op == Op::kEndsWith) return v.text.ends_with(needle);
    return v.text.find(needle) != std::string_view::npos;
  });
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.push_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

// `<start>;<interval>;<duration>`: t lies in a window that opens every interval from start.
bool in_timeframe(Instant t, std::string_view spec) {
  const auto parts = split(spec, ';');
  if (parts.size() != 3) return false;
  const auto start = parse_iso8601(parts[0]);
  const auto interval = parse_iso_duration(parts[1]);
  const auto duration = parse_iso_duration(parts[2]);
  if (!start || !interval || !duration || interval->empty() || t < *start) return false;
  // Index of the last window opening at or before t.
  int64_t k = 0;
  if (interval->months == 0) {
    k = (t.millis - start->millis) / interval->millis;
  } else {
    k = (t.millis - start->millis) / (interval->months * 28 * kDayMs + interval->millis + 1);
    while (k > 0 && add_duration(*start, *interval, k) > t) --k;
    while (add_duration(*start, *interval, k + 1) <= t) ++k;
  }
  const Instant open = add_duration(*start, *interval, k);
  return t >= open && t < add_duration(open, *duration);
}

bool in_daily_hours(const LocalTime& local, std::string_view spec) {
  const auto parts = split(spec, ';');
  if (parts.size() < 2) return false;
  const auto from = parse_time_of_day(parts[0]);
  const auto to = parse_time_of_day(parts[1]);
  if (!from || !to) return false;
  if (parts.size() >= 3 && !parts[2].empty()) {
    bool day_ok = false;
    for (auto d : split(parts[2], ','))
      day_ok = day_ok || (d.size() == 1 && d[0] - '0' == local.day_of_week);
    if (!day_ok) return false;
  }
  const int m = local.minute_of_day;
  if (*from <= *to) return m >= *from && m < *to;
  return m >= *from || m < *to;  // window across midnight
}

std::set<std::string> string_set(const JsonArray& a) {
  std::set<std::string> out;
  for (const Json& v : a) out.insert(to_json_text(v));
  return out;
}

bool apply(const Condition& c, const Value& v, const Context& ctx) {
  const JsonArray& args = c.values;
  const Json& first = args.empty() ? Json() : args.front();
  switch (c.op) {
    case Op::kIs:
    case Op::kIn:
      return any_equals(v, args);
    case Op::kIsNot:
    case Op::kNotIn:
      return !any_equals(v, args);
    case Op::kLessThan: {
      auto r = compare(v, first);
      return r && *r < 0;
    }
    case Op::kLessThanOrEqual: {
      auto r = compare(v, first);
      return r && *r <= 0;
    }
    case Op::kMoreThan: {
      auto r = compare(v, first);
      return r && *r > 0;
    }
    case Op::kMoreThanOrEqual: {
      auto r = compare(v, first);
      return r && *r >= 0;
    }
    case Op::kAfter: {
      auto r = compare(v, first);
      return r && *r > 0;
    }
    case Op::kBefore: {
      auto r = compare(v, first);
      return r && *r < 0;
    }
    case Op::kStartsWith:
    case Op::kEndsWith:
    case Op::kContains:
      if (v.kind == Value::Kind::kArray) return any_equals(v, args);
      return text_op(v, args, c.op);
    case Op::kNotContain:
      if (v.kind == Value::Kind::kArray) return !any_equals(v, args);
      return v.kind == Value::Kind::kString && !text_op(v, args, Op::kContains);
    case Op::kHasValue:
      return v.kind != Value::Kind::kNull && !(v.kind == Value::Kind::kString && v.text.empty());
    case Op::kIsUnknown:
      return v.kind == Value::Kind::kNull;
    case Op::kCount:
    case Op::kCountMore:
    case Op::kCountLess: {
      if (v.kind != Value::Kind::kArray || !json_is_number(first)) return false;
      const double n = static_cast<double>(v.array->size());
      const double bound = json_number(first);
      return c.op == Op::kCount ? n == bound : (c.op == Op::kCountMore ? n > bound : n < bound);
    }
    case Op::kNotDiffer:
      return v.kind == Value::Kind::kArray && string_set(*v.array) == string_set(args);
    case Op::kNotIntersect: {
      if (v.kind != Value::Kind::kArray)
        return v.kind == Value::Kind::kNull || !any_equals(v, args);
      const auto mine = string_set(*v.array);
      return std::none_of(args.begin(), args.end(),
                          [&](const Json& a) { return mine.contains(to_json_text(a)); });
    }
    case Op::kFrom:
      return true;  // only meaningful on item nodes (handled there)
    default:
      break;
  }
  // Time operators: the attribute is a datetime.
  const auto t = instant_of(v);
  if (!t) return false;
  const Instant now = ctx.now();
  switch (c.op) {
    case Op::kTimeframe:
      return std::any_of(args.begin(), args.end(), [&](const Json& a) {
        return a.is_string() && in_timeframe(*t, a.as_string());
      });
    case Op::kTimeframeAbsolute:
      return std::any_of(args.begin(), args.end(), [&](const Json& a) {
        if (!a.is_string()) return false;
        const auto parts = split(a.as_string(), ';');
        if (parts.size() != 2) return false;
        const auto from = parse_iso8601(parts[0]);
        const auto to = parse_iso8601(parts[1]);
        return from && to && *t >= *from && *t <= *to;
      });
    case Op::kTimeframeDailyHours: {
      const LocalTime local = ctx.zone().to_local(*t);
      return std::any_of(args.begin(), args.end(), [&](const Json& a) {
        return a.is_string() && in_daily_hours(local, a.as_string());
      });
    }
    case Op::kDow: {
      const int dow = ctx.zone().to_local(*t).day_of_week;
      return std::any_of(args.begin(), args.end(),
                         [&](const Json& a) { return json_is_number(a) && json_number(a) == dow; });
    }
    default:
      break;
  }
  // Day counts beyond ~2,700 years cannot match and would overflow the arithmetic below.
  if (!json_is_number(first) || std::fabs(json_number(first)) > 1e6) return false;
  const auto days = static_cast<int64_t>(json_number(first));
  const int64_t today = ctx.zone().to_local(now).days_since_epoch;
  const int64_t day_of_t = ctx.zone().to_local(*t).days_since_epoch;
  switch (c.op) {
    case Op::kMoreThanAgo:
      return t->millis < now.millis - days * kDayMs;
    case Op::kLessThanAgo:
      return t->millis >= now.millis - days * kDayMs && *t <= now;
    case Op::kIsDaysAgo:
      return day_of_t == today - days;
    case Op::kMoreThanFuture:
      return t->millis > now.millis + days * kDayMs;
    case Op::kLessThanFuture:
      return *t >= now && t->millis <= now.millis + days * kDayMs;
    case Op::kIsDaysInFuture:
      return day_of_t == today + days;
    default:
      return false;
  }
}

class Evaluator {
 public:
  Evaluator(const Context& ctx, bool explain, Outcome& out)
      : ctx_(ctx), explain_(explain), out_(out) {}

  // Evaluates `logic` over `nodes`; on failure fills `failed` with the deciding leaf.
  bool group(const std::vector<Node>& nodes, const Logic& logic, const Scope& scope,
             const Node*& failed) {
    switch (logic.type) {
      case Logic::Type::kLeaf: {
        const Node& node = nodes[logic.leaf];
        const Node* inner = nullptr;
        if (this->node(node, scope, inner)) return true;
        failed = inner ? inner : &node;
        return false;
      }
      case Logic::Type::kAnd:
        for (const Logic& child : logic.children) {
          if (!group(nodes, child, scope, failed)) return false;
        }
        return true;
      case Logic::Type::kOr: {
        const Node* first_failure = nullptr;
        for (const Logic& child : logic.children) {
          const Node* f = nullptr;
          if (group(nodes, child, scope, f)) return true;
          if (!first_failure) first_failure = f;
        }
        failed = first_failure;
        return false;
      }
    }
    return false;
  }

 private:
  void record(const Node& node, std::string op, Json expected, Json actual, bool passed,
              std::string note = {}) {
    if (!explain_) return;
    out_.checks.push_back(Check{node.path, node.name, node.property, std::move(op),
                                std::move(expected), std::move(actual), passed, std::move(note)});
  }

  // The first note the context has for the groups named, for a failing check's explain.
  std::string note_of(const JsonArray& ids) const {
    if (!explain_) return {};
    for (const Json& id : ids) {
      if (!id.is_string()) continue;
      std::string n = ctx_.note_for(id.as_string());
      if (!n.empty()) return n;
    }
    return {};
  }
  std::string note_of(const std::vector<ItemRef>& refs) const {
    if (!explain_) return {};
    for (const ItemRef& r : refs) {
      std::string n = ctx_.note_for(r.id);
      if (!n.empty()) return n;
    }
    return {};
  }

  Value value_of(const Node& node, const Scope& scope) const {
    const std::string_view name = node.name;
    const bool aggregated = name == "order.items.aggregated_quantity" ||
                            name == "order.items.aggregated_amount" ||
                            name == "product.metadata.aggregated_quantity" ||
                            name == "product.metadata.aggregated_amount";
    if (aggregated && scope.group) {
      const bool quantity = name.ends_with("aggregated_quantity");
      double sum = 0;
      for (size_t i : *scope.group) {
        const Value v =
            ctx_.item_attribute(i, quantity ? "order.items.quantity" : "order.items.amount", {});
        if (v.kind == Value::Kind::kNumber) sum += v.number;
      }
      return Value::of(sum);
    }
    const bool item_level = name.starts_with("order.items.") || name.starts_with("product.") ||
                            name.starts_with("sku.");
    if (scope.item && item_level) return ctx_.item_attribute(*scope.item, name, node.property);
    return ctx_.attribute(name, node.property);
  }

  bool conditions_hold(const Node& node, const Value& v) {
    for (const Condition& c : node.conditions) {
      const bool ok = apply(c, v, ctx_);
      if (explain_) record(node, c.op_name, c.values, to_json(v), ok);
      if (!ok) return false;
    }
    return true;
  }

  bool node(const Node& node, const Scope& scope, const Node*& failed) {
    if (ctx_.ignores(node.name)) {
      record(node, "ignored", nullptr, nullptr, true);
      return node.children.empty() || group(node.children, node.logic, scope, failed);
    }
    if (node.item_mode) return items_node(node, failed);
    if (node.name == "customer.segment") return segment_node(node);
    if (reads_customer(node.name) &&
        ctx_.attribute("customer.present", {}).kind == Value::Kind::kNull) {
      out_.missing_customer = true;
      record(node, "customer", nullptr, nullptr, false);
      return false;
    }
    if (node.name == "order.items.price_any" || node.name == "order.items.price_each" ||
        node.name == "order.items.metadata_any" || node.name == "order.items.metadata_each") {
      return quantified_items_node(node);
    }
    if (!conditions_hold(node, value_of(node, scope))) return false;
    if (!node.children.empty()) return group(node.children, node.logic, scope, failed);
    return true;
  }

  bool segment_node(const Node& node) {
    for (const Condition& c : node.conditions) {
      bool any = false;
      for (const Json& v : c.values) any = any || (v.is_string() && ctx_.in_segment(v.as_string()));
      const bool negative = c.op == Op::kIsNot || c.op == Op::kNotIn;
      const bool ok = negative ? !any : any;
      record(node, c.op_name, c.values, any, ok, ok ? std::string() : note_of(c.values));
      if (!ok) return false;
    }
    return true;
  }

  bool quantified_items_node(const Node& node) {
    const bool each = node.name.ends_with("_each");
    const std::string_view line_name =
        node.name.starts_with("order.items.price") ? "order.items.price" : "order.items.metadata";
    const size_t n = ctx_.item_count();
    size_t passing = 0;
    for (size_t i = 0; i < n; ++i) {
      const Value v = ctx_.item_attribute(i, line_name, node.property);
      bool ok = true;
      for (const Condition& c : node.conditions) ok = ok && apply(c, v, ctx_);
      if (ok) ++passing;
    }
    const bool passed = each ? (n > 0 && passing == n) : passing > 0;
    record(node, each ? "each" : "any", nullptr, static_cast<int64_t>(passing), passed);
    return passed;
  }

  bool line_matches(size_t i, const std::vector<ItemRef>& refs) const {
    return std::any_of(refs.begin(), refs.end(),
                       [&](const ItemRef& r) { return ctx_.item_matches(i, r); });
  }

  bool items_node(const Node& node, const Node*& failed) {
    std::vector<ItemRef> include, exclude, from;
    for (const Condition& c : node.conditions) {
      if (c.op == Op::kIs || c.op == Op::kIn)
        include.insert(include.end(), c.refs.begin(), c.refs.end());
      if (c.op == Op::kIsNot || c.op == Op::kNotIn)
        exclude.insert(exclude.end(), c.refs.begin(), c.refs.end());
      if (c.op == Op::kFrom) from.insert(from.end(), c.refs.begin(), c.refs.end());
    }
    const size_t n = ctx_.item_count();
    std::vector<size_t> selected;
    for (size_t i = 0; i < n; ++i) {
      if (!include.empty() && !line_matches(i, include)) continue;
      if (!from.empty() && !line_matches(i, from)) continue;
      if (line_matches(i, exclude)) continue;
      selected.push_back(i);
    }
    Json expected = JsonArray();
    if (explain_) {
      for (const Condition& c : node.conditions)
        expected.as_array().push_back(JsonObject{{c.op_name, c.values}});
    }
    bool passed = false;
    const ItemMode mode = *node.item_mode;
    const bool only_negative = include.empty() && from.empty() && !exclude.empty();
    if (only_negative && mode == ItemMode::kAny) {
      // "product.id $is_not X": the cart holds no line of X.
      passed = true;
      for (size_t i = 0; i < n && passed; ++i) passed = !line_matches(i, exclude);
      record(node, "items", std::move(expected), static_cast<int64_t>(selected.size()), passed);
      return passed;
    }
    auto line_passes = [&](size_t i, const std::vector<size_t>& group_lines) {
      if (node.children.empty()) return true;
      const Node* inner = nullptr;
      Scope scope{i, &group_lines};
      const bool ok = group(node.children, node.logic, scope, inner);
      if (!ok && inner) failed = inner;
      return ok;
    };
    switch (mode) {
      case ItemMode::kAny:
        for (size_t i : selected) {
          if (line_passes(i, selected)) {
            passed = true;
            break;
          }
        }
        break;
      case ItemMode::kNone:
        passed = selected.empty();
        break;
      case ItemMode::kEvery:
        passed = true;
        if (include.empty()) {
          for (size_t i : selected) passed = passed && line_passes(i, selected);
          passed = passed && !selected.empty();
        } else {
          for (const ItemRef& ref : include) {
            std::vector<size_t> lines;
            for (size_t i : selected) {
              if (ctx_.item_matches(i, ref)) lines.push_back(i);
            }
            bool found = false;
            for (size_t i : lines) found = found || line_passes(i, lines);
            if (!found) {
              passed = false;
              break;
            }
          }
        }
        break;
      case ItemMode::kCheapest:
      case ItemMode::kMostExpensive: {
        std::optional<size_t> pick;
        double best = 0;
        for (size_t i = 0; i < n; ++i) {
          const Value price = ctx_.item_attribute(i, "order.items.price", {});
          if (price.kind != Value::Kind::kNumber) continue;
          const bool better =
              !pick || (mode == ItemMode::kCheapest ? price.number < best : price.number > best);
          if (better) {
            pick = i;
            best = price.number;
          }
        }
        if (pick && std::find(selected.begin(), selected.end(), *pick) != selected.end()) {
          const std::vector<size_t> one{*pick};
          passed = line_passes(*pick, one);
        }
        break;
      }
    }
    record(node, "items", std::move(expected), static_cast<int64_t>(selected.size()), passed,
           passed ? std::string() : note_of(include.empty() ? from : include));
    return passed;
  }

  const Context& ctx_;
  bool explain_;
  Outcome& out_;
};

size_t count_nodes(const std::vector<Node>& nodes) {
  size_t n = nodes.size();
  for (const Node& node : nodes) n += count_nodes(node.children);
  return n;
}

}  // namespace

Result<RuleSet> RuleSet::compile(const Json& rules, std::optional<std::string> error_message) {
  RuleSet set;
  set.error_message_ = std::move(error_message);
  auto tree = std::make_shared<Tree>();
  if (rules.is_null()) {
    tree->logic = Logic{Logic::Type::kAnd, 0, {}};
    set.tree_ = std::move(tree);
    return set;
  }
  if (!rules.is_object()) return invalid_rules("", "rules must be an object");
  size_t total = 0;
  OP_ASSIGN(tree->nodes, compile_nodes(rules.as_object(), "", 1, total, tree->logic));
  tree->count = total;
  std::function<bool(const std::vector<Node>&)> any_customer = [&](const std::vector<Node>& nodes) {
    return std::any_of(nodes.begin(), nodes.end(), [&](const Node& n) {
      return reads_customer(n.name) || any_customer(n.children);
    });
  };
  set.needs_customer_ = any_customer(tree->nodes);
  std::function<void(const std::vector<Node>&)> collect = [&](const std::vector<Node>& nodes) {
    for (const Node& n : nodes) {
      if (std::find(set.names_.begin(), set.names_.end(), n.name) == set.names_.end()) {
        set.names_.push_back(n.name);
      }
      collect(n.children);
    }
  };
  collect(tree->nodes);
  set.tree_ = std::move(tree);
  return set;
}

size_t RuleSet::node_count() const {
  return tree_ ? count_nodes(tree_->nodes) : 0;
}

Outcome RuleSet::evaluate(const Context& context, bool explain) const {
  Outcome out;
  if (!tree_ || tree_->nodes.empty()) return out;
  Evaluator evaluator(context, explain, out);
  const Node* failed = nullptr;
  out.passed = evaluator.group(tree_->nodes, tree_->logic, Scope{}, failed);
  if (!out.passed && failed) {
    out.failed_node = failed->path;
    out.failed_group = failed->group;
    out.message = failed->message ? failed->message : error_message_;
  } else if (!out.passed) {
    out.message = error_message_;
  }
  return out;
}

}  // namespace openpromo::rules

// ---- filters (rules/filter.h): auto-update segments and collections
// ---------------------------------------------------------------

namespace openpromo::rules {

struct Filter::Group {
  bool any = false;  // junction "or"
  struct LocationCondition {
    bool negated = false;  // $not_in_location
    std::vector<std::string> ids;
    std::shared_ptr<const LocationSet> set;  // null: compiled without locations, never holds
  };
  struct Field {
    std::string path;
    std::vector<Condition> conditions;
    std::vector<LocationCondition> locations;  // read from the request's copy of the document
    std::shared_ptr<const Group> nested;
  };
  std::vector<Field> fields;
};

namespace {

constexpr size_t kMaxFilterFields = 50;
constexpr int kMaxFilterDepth = 4;
constexpr size_t kMaxFilterValues = 200;
constexpr size_t kMaxFilterTotalValues = 1000;  // bounds a filter's cost per document

Error invalid_filter(const std::string& field, const std::string& why) {
  return Error::invalid_payload("filter" + (field.empty() ? "" : "." + field) + ": " + why);
}

Result<std::shared_ptr<const Filter::Group>> compile_group(const Json& value, int depth,
                                                           const std::string& at,
                                                           size_t& total_values,
                                                           const LocationResolver& locations);

// Reads a document's value at `path`; "metadata.<key>" is one key under metadata.
const Json* field_at(const Json& document, std::string_view path) {
  const Json* node = &document;
  while (node && !path.empty()) {
    if (!node->is_object()) return nullptr;
    const JsonObject& o = node->as_object();
    if (path.starts_with("metadata.") && o.contains("metadata")) {
      const Json& metadata = o.at("metadata");
      if (!metadata.is_object()) return nullptr;
      return metadata.as_object().if_contains(path.substr(9));
    }
    const size_t dot = path.find('.');
    const std::string_view head = path.substr(0, dot);
    node = o.if_contains(head);
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return node;
}

// What the operators need besides the value: the clock (UTC).
class FilterContext final : public Context {
 public:
  explicit FilterContext(Instant now) : now_(now) {}
  Value attribute(std::string_view, std::string_view) const override { return Value::null(); }
  bool in_segment(std::string_view) const override { return false; }
  size_t item_count() const override { return 0; }
  Value item_attribute(size_t, std::string_view, std::string_view) const override {
    return Value::null();
  }
  bool item_matches(size_t, const ItemRef&) const override { return false; }
  Instant now() const override { return now_; }
  const TimeZone& zone() const override { return utc_; }

 private:
  Instant now_;
  TimeZone utc_;
};

bool location_holds(const Filter::Group::LocationCondition& c, const Json* sent,
                    const std::string& path) {
  const Json* value = sent ? field_at(*sent, path) : nullptr;
  if (!value || !value->is_string() || !c.set) return false;  // no coordinates: neither holds
  const std::string_view geopoint = value->as_string();
  if (!geopoint.starts_with("geo:")) return false;
  return c.set->contains(geopoint) != c.negated;
}

bool group_matches(const Filter::Group& g, const Json& document, const Json* sent,
                   const Context& ctx) {
  for (const auto& field : g.fields) {
    bool ok = true;
    if (field.nested) {
      ok = group_matches(*field.nested, document, sent, ctx);
    } else {
      if (!field.conditions.empty()) {
        const Value v = Value::of_json(field_at(document, field.path));
        for (const Condition& c : field.conditions) ok = ok && apply(c, v, ctx);
      }
      for (const auto& c : field.locations) ok = ok && location_holds(c, sent, field.path);
    }
    if (g.any && ok) return true;
    if (!g.any && !ok) return false;
  }
  return !g.any || g.fields.empty();
}

bool group_reads(const Filter::Group& g, std::string_view prefix) {
  return std::any_of(g.fields.begin(), g.fields.end(), [&](const Filter::Group::Field& f) {
    return f.nested ? group_reads(*f.nested, prefix) : f.path.starts_with(prefix);
  });
}

void group_locations(const Filter::Group& g, std::vector<std::string>* paths,
                     std::vector<std::string>* ids) {
  for (const auto& f : g.fields) {
    if (f.nested) group_locations(*f.nested, paths, ids);
    if (f.locations.empty()) continue;
    if (paths && std::find(paths->begin(), paths->end(), f.path) == paths->end()) {
      paths->push_back(f.path);
    }
    if (!ids) continue;
    for (const auto& c : f.locations) {
      for (const std::string& id : c.ids) {
        if (std::find(ids->begin(), ids->end(), id) == ids->end()) ids->push_back(id);
      }
    }
  }
}

Result<std::shared_ptr<const Filter::Group>> compile_group(const Json& value, int depth,
                                                           const std::string& at,
                                                           size_t& total_values,
                                                           const LocationResolver& locations) {
  if (!value.is_object()) return invalid_filter(at, "must be an object");
  if (depth > kMaxFilterDepth) return invalid_filter(at, "nests more than 4 levels");
  auto group = std::make_shared<Filter::Group>();
  for (const auto& [key, spec] : value.as_object()) {
    const std::string name(key);
    if (name == "junction") {
      if (!spec.is_string()) return invalid_filter(at, "junction must be \"and\" or \"or\"");
      const std::string j = lower(spec.as_string());
      if (j != "and" && j != "or") return invalid_filter(at, "junction must be \"and\" or \"or\"");
      group->any = j == "or";
      continue;
    }
    if (group->fields.size() >= kMaxFilterFields) {
      return invalid_filter(at, "at most 50 fields per group");
    }
    if (name.empty() || name.size() > 200) return invalid_filter(at, "a field name is invalid");
    Filter::Group::Field field;
    field.path = name;
    if (!spec.is_object()) return invalid_filter(name, "must be an object with conditions");
    const JsonObject& o = spec.as_object();
    if (o.contains("junction")) {
      OP_ASSIGN(field.nested, compile_group(spec, depth + 1, name, total_values, locations));
      group->fields.push_back(std::move(field));
      continue;
    }
    const Json* conditions = o.if_contains("conditions");
    if (!conditions || !conditions->is_object() || conditions->as_object().empty()) {
      return invalid_filter(name, "needs conditions");
    }
    for (const auto& [op_key, values] : conditions->as_object()) {
      const std::string_view op_name = op_key;
      if (op_name == "$in_location" || op_name == "$not_in_location") {
        // Geopoints are metadata (spec 15): customer, product and SKU metadata of type geopoint.
        if (!name.starts_with("metadata.") || name.size() == 9) {
          return invalid_filter(name, std::string(op_key) + " applies to metadata.<key> fields");
        }
        Filter::Group::LocationCondition c;
        c.negated = op_name == "$not_in_location";
        const JsonArray one{values};
        const JsonArray& list = values.is_array() ? values.as_array() : one;
        if (list.empty()) return invalid_filter(name, std::string(op_key) + " needs a location id");
        if (list.size() > kMaxFilterValues) {
          return invalid_filter(name, "at most 200 values per condition");
        }
        total_values += list.size();
        if (total_values > kMaxFilterTotalValues) {
          return invalid_filter(name, "at most 1000 values in a whole filter");
        }
        for (const Json& id : list) {
          if (!id.is_string() || id.as_string().empty() || id.as_string().size() > 100) {
            return invalid_filter(name, std::string(op_key) + " takes location ids");
          }
          c.ids.emplace_back(id.as_string());
        }
        if (locations) {
          OP_ASSIGN(c.set, locations(c.ids, "filter." + name));
        }
        field.locations.push_back(std::move(c));
        continue;
      }
      const auto it = std::find_if(kOperators.begin(), kOperators.end(),
                                   [&](const OpName& op) { return op.name == op_name; });
      if (it == kOperators.end())
        return invalid_filter(name, "unknown operator " + std::string(op_key));
      Condition c{it->op, std::string(op_key), {}, {}};
      if (values.is_array()) {
        c.values = values.as_array();
      } else {
        c.values.push_back(values);
      }
      if (c.values.size() > kMaxFilterValues) {
        return invalid_filter(name, "at most 200 values per condition");
      }
      total_values += c.values.size();
      if (total_values > kMaxFilterTotalValues) {
        return invalid_filter(name, "at most 1000 values in a whole filter");
      }
      const bool no_values = c.op == Op::kHasValue || c.op == Op::kIsUnknown;
      if (c.values.empty() && !no_values) {
        return invalid_filter(name, std::string(op_key) + " needs at least one value");
      }
      field.conditions.push_back(std::move(c));
    }
    group->fields.push_back(std::move(field));
  }
  return std::shared_ptr<const Filter::Group>(std::move(group));
}

}  // namespace

Result<Filter> Filter::compile(const Json& filter, const LocationResolver& locations) {
  Filter f;
  size_t total_values = 0;
  OP_ASSIGN(f.root_, compile_group(filter, 1, "", total_values, locations));
  return f;
}

bool Filter::matches(const Json& document, Instant now, const Json* sent) const {
  const FilterContext ctx(now);
  return root_ && group_matches(*root_, document, sent, ctx);
}

std::vector<std::string> Filter::location_paths() const {
  std::vector<std::string> out;
  if (root_) group_locations(*root_, &out, nullptr);
  return out;
}

std::vector<std::string> Filter::location_ids() const {
  std::vector<std::string> out;
  if (root_) group_locations(*root_, nullptr, &out);
  return out;
}

bool Filter::reads_prefix(std::string_view prefix) const {
  return root_ && group_reads(*root_, prefix);
}

}  // namespace openpromo::rules
