#include "api/demo_seed.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "api/app.h"
#include "service/key_service.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

// The seed: API calls in order. `as` names a step's response; a string "{{step.a.b}}" (a whole
// value, or inside a path) is replaced by that field of that step's response.
constexpr std::string_view kSeed = R"json([
 {"as": "coffee1", "method": "POST", "path": "/v1/products", "body": {"source_id": "demo-coffee-colombia", "name": "Colombia coffee beans 1 kg", "price": 2499, "metadata": {"category": "coffee"}}},
 {"as": "coffee2", "method": "POST", "path": "/v1/products", "body": {"source_id": "demo-coffee-ethiopia", "name": "Ethiopia coffee beans 1 kg", "price": 2899, "metadata": {"category": "coffee"}}},
 {"as": "cup", "method": "POST", "path": "/v1/products", "body": {"source_id": "demo-cup", "name": "Espresso cup", "price": 1200, "metadata": {"category": "accessories"}}},
 {"as": "frother", "method": "POST", "path": "/v1/products", "body": {"source_id": "demo-frother", "name": "Milk frother", "price": 4500, "metadata": {"category": "accessories"}}},
 {"as": "grinder", "method": "POST", "path": "/v1/products", "body": {"source_id": "demo-grinder", "name": "Coffee grinder", "price": 8900, "metadata": {"category": "machines"}}},
 {"as": "coffees", "method": "POST", "path": "/v1/product-collections", "body": {"name": "All coffees", "type": "STATIC", "products": [{"id": "{{coffee1.id}}", "object": "product"}, {"id": "{{coffee2.id}}", "object": "product"}]}},
 {"as": "anna", "method": "POST", "path": "/v1/customers", "body": {"source_id": "demo-anna", "name": "Anna Kowalska", "email": "anna@example.com", "metadata": {"tier": "gold"}}},
 {"as": "ben", "method": "POST", "path": "/v1/customers", "body": {"source_id": "demo-ben", "name": "Ben Okafor", "email": "ben@example.com", "metadata": {"tier": "silver"}}},
 {"as": "chloe", "method": "POST", "path": "/v1/customers", "body": {"source_id": "demo-chloe", "name": "Chloe Martin", "email": "chloe@example.com", "metadata": {"tier": "gold"}}},
 {"as": "gold", "method": "POST", "path": "/v1/segments", "body": {"name": "Gold members", "type": "auto-update", "filter": {"junction": "and", "metadata.tier": {"conditions": {"$is": ["gold"]}}}}},
 {"as": "over50", "method": "POST", "path": "/v1/validation-rules", "body": {"name": "Order over 50.00", "type": "basic", "rules": {"1": {"name": "order.amount", "conditions": {"$more_than": [5000]}, "rules": {}}, "logic": "1"}, "error": {"message": "Spend more than 50.00"}}},
 {"as": "over150", "method": "POST", "path": "/v1/validation-rules", "body": {"name": "Order over 150.00", "type": "basic", "rules": {"1": {"name": "order.amount", "conditions": {"$more_than": [15000]}, "rules": {}}, "logic": "1"}, "error": {"message": "Spend more than 150.00"}}},
 {"as": "flashrule", "method": "POST", "path": "/v1/validation-rules", "body": {"name": "FLASH: a coffee, over 99.99", "type": "complex", "rules": {"1": {"name": "product.id", "conditions": {"$is": ["{{coffee1.id}}", "{{coffee2.id}}"]}, "rules": {}}, "2": {"name": "order.amount", "conditions": {"$more_than": [9999]}, "rules": {}}, "logic": "1 and 2"}, "error": {"message": "FLASH needs a coffee in a cart over 99.99"}}},
 {"as": "flash", "method": "POST", "path": "/v1/campaigns", "body": {"name": "Flash sale", "campaign_type": "DISCOUNT_COUPONS", "type": "STATIC", "description": "Generic code FLASH: 10% off a cart over 99.99 with a coffee", "vouchers_count": 0, "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": 10}}, "validation_rules": ["{{flashrule.id}}"]}},
 {"as": "flashcode", "method": "POST", "path": "/v1/campaigns/{{flash.id}}/vouchers/FLASH", "body": {}},
 {"as": "welcome", "method": "POST", "path": "/v1/campaigns", "body": {"name": "Welcome coupons", "campaign_type": "DISCOUNT_COUPONS", "type": "AUTO_UPDATE", "description": "Unique codes: 5.00 off, one per customer", "vouchers_count": 20, "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 500}, "code_config": {"pattern": "WELCOME-####"}}}},
 {"as": "promo", "method": "POST", "path": "/v1/campaigns", "body": {"name": "Spend and save", "campaign_type": "PROMOTION", "description": "Automatic: 5.00 off over 50.00, 15.00 off over 150.00", "promotion": {"tiers": [{"name": "5.00 off over 50.00", "banner": "5.00 off orders over 50.00", "action": {"discount": {"type": "AMOUNT", "amount_off": 500}}, "validation_rules": ["{{over50.id}}"]}, {"name": "15.00 off over 150.00", "banner": "15.00 off orders over 150.00", "action": {"discount": {"type": "AMOUNT", "amount_off": 1500}}, "validation_rules": ["{{over150.id}}"]}]}}},
 {"as": "gift", "method": "POST", "path": "/v1/campaigns", "body": {"name": "Gift cards", "campaign_type": "GIFT_VOUCHERS", "type": "AUTO_UPDATE", "description": "50.00 gift cards", "vouchers_count": 10, "voucher": {"type": "GIFT_VOUCHER", "gift": {"amount": 5000}, "code_config": {"pattern": "GIFT-####-####"}}}},
 {"as": "loyalty", "method": "POST", "path": "/v1/campaigns", "body": {"name": "Coffee club", "campaign_type": "LOYALTY_PROGRAM", "type": "AUTO_UPDATE", "description": "Loyalty cards", "vouchers_count": 10, "voucher": {"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}, "code_config": {"pattern": "CLUB-####"}}}},
 {"as": "referral", "method": "POST", "path": "/v1/campaigns", "body": {"name": "Refer a friend", "campaign_type": "REFERRAL_PROGRAM", "type": "AUTO_UPDATE", "description": "10.00 off for a referred friend", "vouchers_count": 10, "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 1000}, "code_config": {"pattern": "REF-####"}}}}
])json";

// The value at `ref` ("step.a.b") among the responses so far.
Result<json::value> lookup(const std::map<std::string, json::value>& responses,
                           std::string_view ref) {
  std::vector<std::string> parts;
  for (size_t start = 0; start <= ref.size();) {
    const size_t end = std::min(ref.find('.', start), ref.size());
    parts.emplace_back(ref.substr(start, end - start));
    start = end + 1;
  }
  auto it = responses.find(parts.front());
  if (it == responses.end()) return Error::internal("demo seed: no step " + std::string(ref));
  const json::value* at = &it->second;
  for (size_t i = 1; i < parts.size(); ++i) {
    const json::object* o = at->if_object();
    if (!o || !o->contains(parts[i])) {
      return Error::internal("demo seed: no " + std::string(ref) + " in the responses");
    }
    at = &o->at(parts[i]);
  }
  return *at;
}

Result<std::string> fill_text(const std::map<std::string, json::value>& responses,
                              std::string text) {
  size_t open;
  while ((open = text.find("{{")) != std::string::npos) {
    const size_t close = text.find("}}", open);
    if (close == std::string::npos) break;
    OP_ASSIGN(json::value v,
              lookup(responses, std::string_view(text).substr(open + 2, close - open - 2)));
    if (!v.is_string()) return Error::internal("demo seed: a path refers to a non-string");
    text.replace(open, close + 2 - open, std::string(v.as_string()));
  }
  return text;
}

Status fill(const std::map<std::string, json::value>& responses, json::value& v) {
  if (auto* s = v.if_string()) {
    const std::string_view text = *s;
    if (text.starts_with("{{") && text.ends_with("}}") && text.find("{{", 2) == text.npos) {
      OP_ASSIGN(v, lookup(responses, text.substr(2, text.size() - 4)));
      return {};
    }
    OP_ASSIGN(auto filled, fill_text(responses, std::string(text)));
    *s = filled;
    return {};
  }
  if (auto* o = v.if_object()) {
    for (auto& [key, value] : *o) OP_TRY(fill(responses, value));
  } else if (auto* a = v.if_array()) {
    for (auto& value : *a) OP_TRY(fill(responses, value));
  }
  return {};
}

}  // namespace

Result<DemoSeedReport> seed_demo(Store& store, const Project& project) {
  DemoSeedReport report;
  KeyService keys(store);
  OP_ASSIGN(NewKey key, keys.create(project, KeyKind::kServer, Role::kAdmin, {}));
  AppOptions options;
  options.access_log = false;
  App app(store, options);
  auto call = [&](const std::string& method, const std::string& path,
                  const std::string& body) -> HttpResponse {
    HttpRequest request;
    request.method = method;
    request.target = path;
    request.headers = {{"x-app-id", key.key.app_id}, {"x-app-token", key.token}};
    if (!body.empty()) {
      request.headers.emplace_back("content-type", "application/json");
      request.body = body;
    }
    return app.handle(request);
  };
  // Seeded already: the first product is there.
  if (call("GET", "/v1/products/demo-coffee-colombia", "").status == 200) {
    report.already_seeded = true;
    return report;
  }
  std::map<std::string, json::value> responses;
  const json::value seed = json::parse(kSeed);
  for (const json::value& step_value : seed.as_array()) {
    const json::object& step = step_value.as_object();
    const std::string as(step.at("as").as_string());
    const std::string method(step.at("method").as_string());
    OP_ASSIGN(const std::string path,
              fill_text(responses, std::string(step.at("path").as_string())));
    json::value body = step.at("body");
    OP_TRY(fill(responses, body));
    HttpResponse r = call(method, path, json::serialize(body));
    if (r.status >= 300) {
      std::string what = "demo seed: ";
      what.append(method).append(" ").append(path).append(" answered ");
      what.append(std::to_string(r.status)).append(": ").append(r.body);
      return Error::internal(std::move(what));
    }
    json::value parsed = json::parse(r.body);
    std::string label = path;
    label.append(" ").append(as);
    if (const auto* o = parsed.if_object()) {
      if (const auto* name = o->if_contains("name"); name && name->is_string()) {
        label = std::string(name->as_string());
      } else if (const auto* code = o->if_contains("code"); code && code->is_string()) {
        label = std::string(code->as_string());
      }
      if (const auto* id = o->if_contains("id"); id && id->is_string()) {
        label += " (" + std::string(id->as_string()) + ")";
      }
    }
    report.created.push_back(label);
    responses[as] = std::move(parsed);
  }
  return report;
}

}  // namespace openpromo::api
