// The validation-rule language (spec 7): a rule's JSON (numbered nodes with conditions, nested
// sub-rules and a `logic` expression) is compiled once into a RuleSet and evaluated per request
// against a Context that the engine provides over the running cart.
//
// Evaluation semantics (ours where the spec is silent; docs/ENGINE.md lists them):
// - Conditions inside one node are ANDed; a condition's values are alternatives for $is / $in /
//   $starts_with / $ends_with / $contains, and the first value is the bound for comparisons.
// - `logic` uses `and` (binds tighter) and `or` with parentheses, case-insensitive; every number
//   must exist and every node must be referenced. Without `logic`, all nodes are ANDed.
// - Evaluation short-circuits. The failure reported is the first failing leaf of the deciding
//   branch; when every alternative of an `or` fails, the first alternative's failure is reported.
// - Item-structure names (`order.items.any|every|none|cheapest|most_expensive`, `product.id`,
//   `sku.id`) select order lines by their conditions and evaluate their sub-rules per line, with
//   the aggregated sub-rules summed over the selected lines.
//
// Limits that keep hostile input bounded: at most 8 levels of nesting, 200 nodes and 100 values
// per condition; a larger rule is refused with `invalid_validation_rules`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/time.h"
#include "core/time_zone.h"

namespace openpromo::rules {

// One attribute value as a rule sees it. Views point into the context's data, valid during the
// evaluation only.
struct Value {
  enum class Kind { kNull, kNumber, kString, kBool, kArray };
  Kind kind = Kind::kNull;
  double number = 0;
  std::string_view text;
  bool boolean = false;
  const JsonArray* array = nullptr;

  static Value null() { return {}; }
  static Value of(double n) { return {Kind::kNumber, n, {}, false, nullptr}; }
  static Value of_int(int64_t n) { return of(static_cast<double>(n)); }
  static Value of(std::string_view s) { return {Kind::kString, 0, s, false, nullptr}; }
  static Value of_bool(bool b) { return {Kind::kBool, 0, {}, b, nullptr}; }
  // JSON metadata value: numbers, strings, booleans and arrays map to their kinds.
  static Value of_json(const Json* v);
};

// An item reference in an items condition: `{"id": ..., "object":
// "product|sku|products_collection", "source_id": ...}` or a bare id string.
struct ItemRef {
  std::string object;  // empty when given as a bare string: matches product or SKU ids
  std::string id;
  std::string source_id;
};

// What rules read. The engine implements it over the request and the running cart state.
class Context {
 public:
  virtual ~Context() = default;
  // Order-, customer-, campaign- and redemption-level attributes: `name` as in spec 7.3 and
  // `property` for the metadata names. Unknown data is Value::null().
  virtual Value attribute(std::string_view name, std::string_view property) const = 0;
  // Whether the customer belongs to the segment (`customer.segment`).
  virtual bool in_segment(std::string_view segment_id) const = 0;
  virtual size_t item_count() const = 0;
  // Line-level attributes: `order.items.quantity|price|amount|metadata`, `product.*`, `sku.*`.
  virtual Value item_attribute(size_t item, std::string_view name,
                               std::string_view property) const = 0;
  virtual bool item_matches(size_t item, const ItemRef& ref) const = 0;
  // Why a segment or collection could not match this request, when something was missing
  // (e.g. "the request sends no coordinates in customer.metadata.customer_location"); explain
  // shows it with the failing check.
  virtual std::string note_for(std::string_view /*segment_or_collection_id*/) const { return {}; }
  virtual Instant now() const = 0;
  virtual const TimeZone& zone() const = 0;
  // Names whose conditions hold whatever they read (qualification leaves some limits out).
  virtual bool ignores(std::string_view name) const {
    (void)name;
    return false;
  }
};

// One evaluated check, for `explain` and error messages.
struct Check {
  std::string node;  // "1", "1.2" for sub-rule 2 of node 1
  std::string name;
  std::string property;
  std::string op;  // "$more_than", or "items" for an item selection
  Json expected;   // the condition's values
  Json actual;     // the value compared (number, string, ...), or matched line count
  bool passed = false;
  std::string note;  // why a segment or collection it names could not match (Context::note_for)
};

// Which group of spec 7.3 failed; the engine maps it to the error key
// (customer_rules_violated, order_rules_violated, redemption_rules_violated).
enum class RuleGroup { kCustomer, kOrder, kRedemption };

struct Outcome {
  bool passed = true;
  // When failed: the first failing leaf of the deciding branch.
  RuleGroup failed_group = RuleGroup::kOrder;
  std::string failed_node;
  std::optional<std::string> message;  // the node's error.message, else the rule set's
  bool missing_customer = false;       // a customer rule ran without a customer in the request
  std::vector<Check> checks;           // filled when explain was requested
};

struct Node;  // compiled rule node (rule_set.cpp)

class RuleSet {
 public:
  // Compiles `rules` (the rule object's `rules` field). `error_message`: the rule set's fallback.
  // Errors: 400 invalid_validation_rules naming the offending node.
  static Result<RuleSet> compile(const Json& rules, std::optional<std::string> error_message);

  Outcome evaluate(const Context& context, bool explain) const;
  // Whether any node reads customer data (then a customer must be sent).
  bool needs_customer() const { return needs_customer_; }
  // Every rule name the nodes use, each once (the engine derives the counters a rule reads).
  const std::vector<std::string>& names() const { return names_; }
  size_t node_count() const;

 private:
  struct Tree;
  std::shared_ptr<const Tree> tree_;
  std::optional<std::string> error_message_;
  bool needs_customer_ = false;
  std::vector<std::string> names_;
};

// Every rule name of spec 7.3 this engine understands.
bool is_known_rule_name(std::string_view name);
// The catalogue name `name` stands for: itself, or the dotted name of an older underscore spelling
// (`customer_segment` -> `customer.segment`); none when unknown.
std::optional<std::string_view> canonical_rule_name(std::string_view name);

}  // namespace openpromo::rules
