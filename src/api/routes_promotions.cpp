// /v1/promotions: tiers and stacks (contract tag promotions).
#include <boost/json/object.hpp>

#include "api/app.h"
#include "api/campaign_codec.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

Reply tier_reply(const TierDetails& t) {
  return Reply{200, serialize(tier_details_json(t))};
}

boost::json::object listed_tier_json(const TierDetails& t) {
  return tier_json(t.tier, t.campaign, &t.usage);
}

}  // namespace

void add_promotion_routes(Router<Route>& router, Services& services) {
  Services& s = services;

  router.add("GET", "/v1/promotions/tiers",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     // is_available=true: enabled tiers (of live campaigns, which every list
                     // shows).
                     if (ctx.query.get("is_available").value_or("") == "true") {
                       query.required.push_back(FilterCondition{"active", FilterOp::kIs, {"true"}});
                     }
                     OP_ASSIGN(auto page,
                               s.promotions.list_tiers(ctx.principal, std::nullopt, query));
                     return Reply{200, serialize(list_json(page, listed_tier_json, "tiers"))};
                   }});

  router.add("GET", "/v1/promotions/{campaignId}/tiers",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, s.promotions.list_tiers(
                                              ctx.principal,
                                              std::string(ctx.params.get("campaignId")), query));
                     return Reply{200, serialize(list_json(page, listed_tier_json, "tiers"))};
                   }});

  router.add("POST", "/v1/promotions/{campaignId}/tiers",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_tier_input(body));
                     OP_ASSIGN(auto tier, s.promotions.create_tier(
                                              ctx.principal, ctx.params.get("campaignId"), input));
                     return tier_reply(tier);
                   }});

  router.add("GET", "/v1/promotions/tiers/{promotionTierId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto tier, s.promotions.get_tier(ctx.principal,
                                                                ctx.params.get("promotionTierId")));
                     return tier_reply(tier);
                   }});

  router.add("PUT", "/v1/promotions/tiers/{promotionTierId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_tier_input(body));
                     OP_ASSIGN(auto tier,
                               s.promotions.update_tier(ctx.principal,
                                                        ctx.params.get("promotionTierId"), input));
                     return tier_reply(tier);
                   }});

  router.add(
      "DELETE", "/v1/promotions/tiers/{promotionTierId}",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_TRY(s.promotions.delete_tier(ctx.principal, ctx.params.get("promotionTierId")));
              return Reply{204, ""};
            }});

  for (const bool enable : {true, false}) {
    router.add(
        "POST",
        std::string("/v1/promotions/tiers/{promotionTierId}/") + (enable ? "enable" : "disable"),
        Route{Auth::kServer, [&s, enable](Context& ctx) -> Result<Reply> {
                OP_ASSIGN(auto tier, s.promotions.set_tier_active(
                                         ctx.principal, ctx.params.get("promotionTierId"), enable));
                return tier_reply(tier);
              }});
  }

  router.add("GET", "/v1/promotions/stacks",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page,
                               s.promotions.list_stacks(ctx.principal, std::nullopt, query));
                     return Reply{200, serialize(list_json(page, stack_json, "data"))};
                   }});

  router.add("GET", "/v1/promotions/{campaignId}/stacks",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, s.promotions.list_stacks(
                                              ctx.principal,
                                              std::string(ctx.params.get("campaignId")), query));
                     return Reply{200, serialize(list_json(page, stack_json, "data"))};
                   }});

  router.add("POST", "/v1/promotions/{campaignId}/stacks",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_stack_input(body));
                     OP_ASSIGN(auto stack, s.promotions.create_stack(
                                               ctx.principal, ctx.params.get("campaignId"), input));
                     return Reply{200, serialize(stack_json(stack))};
                   }});

  router.add("GET", "/v1/promotions/{campaignId}/stacks/{stackId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto stack,
                               s.promotions.get_stack(ctx.principal, ctx.params.get("campaignId"),
                                                      ctx.params.get("stackId")));
                     return Reply{200, serialize(stack_json(stack))};
                   }});

  router.add("PUT", "/v1/promotions/{campaignId}/stacks/{stackId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_stack_input(body));
                     OP_ASSIGN(auto stack, s.promotions.update_stack(
                                               ctx.principal, ctx.params.get("campaignId"),
                                               ctx.params.get("stackId"), input));
                     return Reply{200, serialize(stack_json(stack))};
                   }});

  router.add("DELETE", "/v1/promotions/{campaignId}/stacks/{stackId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(s.promotions.delete_stack(ctx.principal, ctx.params.get("campaignId"),
                                                      ctx.params.get("stackId")));
                     return Reply{204, ""};
                   }});
}

}  // namespace openpromo::api
