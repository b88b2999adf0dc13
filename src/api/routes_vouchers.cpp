// /v1/vouchers (contract tag vouchers).
#include <boost/json/object.hpp>

#include "api/app.h"
#include "api/campaign_codec.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

Reply voucher_reply(const VoucherView& v) {
  return Reply{200, serialize(voucher_json(v))};
}

// Parses each array element as a voucher; a malformed element becomes that item's failure.
Result<std::vector<Result<VoucherInput>>> read_import(std::string_view body) {
  constexpr size_t kMaxItems = 10'000;
  OP_ASSIGN(auto items, parse_array_body(body));
  if (items.empty()) return Error::invalid_payload("the array of vouchers to import is empty");
  if (items.size() > kMaxItems) {
    return Error::invalid_payload("import at most " + std::to_string(kMaxItems) +
                                  " vouchers per request");
  }
  std::vector<Result<VoucherInput>> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    if (!item.is_object()) {
      out.emplace_back(Error::invalid_payload("each imported voucher must be an object"));
    } else {
      out.push_back(read_voucher_input(item.as_object()));
    }
  }
  return out;
}

Reply accepted(const std::string& async_action_id) {
  boost::json::object out;
  out["async_action_id"] = async_action_id;
  return Reply{202, serialize(out)};
}

}  // namespace

void add_import_routes(Router<Route>& router, Services& s) {
  router.add("POST", "/v1/vouchers/import",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto items, read_import(ctx.request.body));
                     OP_ASSIGN(auto action, s.vouchers.import(ctx.principal, std::move(items),
                                                              std::nullopt, ctx.request_id));
                     return accepted(action);
                   }});
  router.add("POST", "/v1/campaigns/{campaignId}/import",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto items, read_import(ctx.request.body));
                     OP_ASSIGN(auto action,
                               s.vouchers.import(ctx.principal, std::move(items),
                                                 std::string(ctx.params.get("campaignId")),
                                                 ctx.request_id));
                     return accepted(action);
                   }});
}

void add_voucher_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  // Literal paths before /v1/vouchers/{code}: "import" is not a code.
  add_import_routes(router, s);

  auto create = [&s](Context& ctx, std::optional<std::string> code) -> Result<Reply> {
    OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
    OP_ASSIGN(auto input, read_voucher_input(body));
    if (code) input.code = code;
    OP_ASSIGN(auto view, s.vouchers.create(ctx.principal, input));
    return voucher_reply(view);
  };
  router.add("POST", "/v1/vouchers", Route{Auth::kServer, [create](Context& ctx) -> Result<Reply> {
                                             return create(ctx, std::nullopt);
                                           }});
  router.add("POST", "/v1/vouchers/{code}",
             Route{Auth::kServer, [create](Context& ctx) -> Result<Reply> {
                     return create(ctx, std::string(ctx.params.get("code")));
                   }});

  router.add(
      "GET", "/v1/vouchers",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
              // Shortcut filters: campaign (name or id), campaign_id, category, customer.
              auto campaign = ctx.query.get("campaign_id");
              if (!campaign) campaign = ctx.query.get("campaign");
              if (campaign) {
                auto c = s.campaigns.get(ctx.principal, *campaign);
                // An unknown campaign matches no voucher rather than every voucher.
                query.filters.push_back(FilterCondition{
                    "campaign_id", FilterOp::kIs, {c.ok() ? c->id : std::string("-")}});
              }
              if (auto category = ctx.query.get("category")) {
                query.filters.push_back(FilterCondition{"category_id", FilterOp::kIs, {*category}});
              }
              if (auto customer = ctx.query.get("customer")) {
                query.filters.push_back(FilterCondition{"holder_id", FilterOp::kIs, {*customer}});
              }
              OP_ASSIGN(auto page, s.vouchers.list(ctx.principal, query));
              return Reply{200, serialize(list_json(page, voucher_json, "vouchers"))};
            }});

  router.add("GET", "/v1/vouchers/{code}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto view, s.vouchers.get(ctx.principal, ctx.params.get("code")));
                     return voucher_reply(view);
                   }});

  router.add("PUT", "/v1/vouchers/{code}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_voucher_input(body));
                     OP_ASSIGN(auto view,
                               s.vouchers.update(ctx.principal, ctx.params.get("code"), input));
                     return voucher_reply(view);
                   }});

  router.add("DELETE", "/v1/vouchers/{code}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     const bool force = ctx.query.get("force").value_or("") == "true";
                     OP_TRY(s.vouchers.remove(ctx.principal, ctx.params.get("code"), force));
                     return Reply{204, ""};
                   }});

  for (const bool enable : {true, false}) {
    router.add("POST", std::string("/v1/vouchers/{code}/") + (enable ? "enable" : "disable"),
               Route{Auth::kServer, [&s, enable](Context& ctx) -> Result<Reply> {
                       OP_ASSIGN(auto view, s.vouchers.set_active(ctx.principal,
                                                                  ctx.params.get("code"), enable));
                       return voucher_reply(view);
                     }});
  }

  router.add("POST", "/v1/vouchers/{code}/balance",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     BalanceChange change;
                     OP_ASSIGN(auto amount, read_integer(body, "amount"));
                     if (!amount) return Error::invalid_payload("amount is required");
                     change.amount = *amount;
                     OP_ASSIGN(change.source_id, read_string(body, "source_id"));
                     OP_ASSIGN(change.reason, read_string(body, "reason"));
                     OP_ASSIGN(auto view, s.vouchers.adjust_balance(
                                              ctx.principal, ctx.params.get("code"), change));
                     return Reply{200, serialize(balance_json(view, change.amount))};
                   }});
}

}  // namespace openpromo::api
