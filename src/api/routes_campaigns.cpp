// /v1/campaigns and /v1/async-actions (contract tags campaigns, async-actions).
#include <boost/json/object.hpp>
#include <charconv>

#include "api/app.h"
#include "api/campaign_codec.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

std::optional<Category> category_of(Services& s, const Principal& who,
                                    const std::optional<std::string>& id) {
  if (!id) return std::nullopt;
  auto c = s.categories.get(who, *id);
  return c.ok() ? std::optional<Category>(std::move(*c)) : std::nullopt;
}

// A campaign as the API shows it: with its category and, for PROMOTION, its tiers.
json::object full_campaign_json(Services& s, const Principal& who, const Campaign& c) {
  std::vector<PromotionTier> tiers;
  if (c.campaign_type == CampaignType::kPromotion) {
    ListQuery q;
    q.limit = ListQuery::kMaxLimit;
    q.order_field = "hierarchy";
    q.descending = false;
    auto page = s.store.list_tiers(who.project_id, c.id, q);
    if (page.ok()) tiers = std::move(page->items);
  }
  json::object out = campaign_json(c, category_of(s, who, c.category_id), &tiers);
  if (auto assigned = s.validation_rules.assignments_of(who, c.id); assigned.ok()) {
    out["validation_rules_assignments"] = assignments_list_json(*assigned);
  }
  return out;
}

Reply campaign_reply(Services& s, const Principal& who, const Campaign& c) {
  return Reply{200, serialize(full_campaign_json(s, who, c))};
}

Reply accepted(const std::string& async_action_id) {
  json::object out;
  out["async_action_id"] = async_action_id;
  return Reply{202, serialize(out)};
}

bool force_param(const Context& ctx) {
  return ctx.query.get("force").value_or("") == "true";
}

// Shortcut filters of GET /v1/campaigns that map to plain field filters.
void add_shortcut(ListQuery& q, const QueryParams& params, const char* param, const char* field) {
  if (auto v = params.get(param)) q.filters.push_back(FilterCondition{field, FilterOp::kIs, {*v}});
}

}  // namespace

void add_campaign_routes(Router<Route>& router, Services& services) {
  Services& s = services;

  router.add("POST", "/v1/campaigns",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_campaign_input(body));
                     const json::value* rule_ids = body.if_contains("validation_rules");
                     OP_TRY(s.validation_rules.check_rule_ids(ctx.principal, rule_ids));
                     // PROMOTION campaigns may bring their tiers along: `promotion.tiers[]`.
                     std::vector<TierInput> tiers;
                     std::vector<const json::value*> tier_rule_ids;  // per tier, in input order
                     if (input.promotion && input.promotion->is_object()) {
                       const json::value* list = input.promotion->as_object().if_contains("tiers");
                       if (list && !list->is_array()) {
                         return Error::invalid_payload("promotion.tiers must be an array");
                       }
                       if (list) {
                         for (const auto& tier : list->as_array()) {
                           if (!tier.is_object()) {
                             return Error::invalid_payload("promotion.tiers holds tier objects");
                           }
                           OP_ASSIGN(auto t, read_tier_input(tier.as_object()));
                           const json::value* tier_rules =
                               tier.as_object().if_contains("validation_rules");
                           OP_TRY(s.validation_rules.check_rule_ids(ctx.principal, tier_rules));
                           tier_rule_ids.push_back(tier_rules);
                           tiers.push_back(std::move(t));
                         }
                       }
                     }
                     OP_ASSIGN(auto created,
                               s.promotions.create_campaign_with_tiers(
                                   ctx.principal, s.campaigns, input, tiers, ctx.request_id));
                     OP_TRY(s.validation_rules.assign_all(ctx.principal, rule_ids, "campaign",
                                                          created.campaign.id));
                     if (!tiers.empty()) {
                       // Tiers are created in input order and ids grow with creation time.
                       ListQuery q;
                       q.limit = ListQuery::kMaxLimit;
                       q.order_field = "id";
                       OP_ASSIGN(auto made, s.store.list_tiers(ctx.principal.project_id,
                                                               created.campaign.id, q));
                       for (size_t i = 0; i < made.items.size() && i < tier_rule_ids.size(); ++i) {
                         OP_TRY(s.validation_rules.assign_all(ctx.principal, tier_rule_ids[i],
                                                              "promotion_tier", made.items[i].id));
                       }
                     }
                     json::object out = full_campaign_json(s, ctx.principal, created.campaign);
                     if (created.async_action_id) out["async_action_id"] = *created.async_action_id;
                     return Reply{200, serialize(out)};
                   }});

  router.add("GET", "/v1/campaigns",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     add_shortcut(query, ctx.query, "campaign_type", "campaign_type");
                     add_shortcut(query, ctx.query, "campaign_status", "creation_status");
                     OP_ASSIGN(auto page, s.campaigns.list(ctx.principal, query));
                     const Principal& who = ctx.principal;
                     auto encode = [&](const Campaign& c) { return full_campaign_json(s, who, c); };
                     return Reply{200, serialize(list_json(page, encode, "campaigns"))};
                   }});

  router.add("GET", "/v1/campaigns/{campaignId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto c,
                               s.campaigns.get(ctx.principal, ctx.params.get("campaignId")));
                     return campaign_reply(s, ctx.principal, c);
                   }});

  router.add("PUT", "/v1/campaigns/{campaignId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_campaign_input(body));
                     OP_ASSIGN(auto c, s.campaigns.update(ctx.principal,
                                                          ctx.params.get("campaignId"), input));
                     return campaign_reply(s, ctx.principal, c);
                   }});

  router.add("DELETE", "/v1/campaigns/{campaignId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto action,
                               s.campaigns.remove(ctx.principal, ctx.params.get("campaignId"),
                                                  force_param(ctx), ctx.request_id));
                     return accepted(action);
                   }});

  for (const bool enable : {true, false}) {
    router.add(
        "POST", std::string("/v1/campaigns/{campaignId}/") + (enable ? "enable" : "disable"),
        Route{Auth::kServer, [&s, enable](Context& ctx) -> Result<Reply> {
                OP_TRY(s.campaigns.set_active(ctx.principal, ctx.params.get("campaignId"), enable));
                return Reply{200, "{}"};  // the contract answers an empty object
              }});
  }

  auto add_vouchers = [&s](Context& ctx, std::optional<std::string> code) -> Result<Reply> {
    OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
    OP_ASSIGN(auto overrides, read_voucher_input(body));
    if (code) overrides.code = code;
    int64_t count = 1;
    if (auto raw = ctx.query.get("vouchers_count")) {
      const auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), count);
      if (ec != std::errc() || end != raw->data() + raw->size()) {
        return Error::invalid_query_params("vouchers_count must be an integer");
      }
      if (code && count != 1) {
        return Error::invalid_query_params("a given code adds exactly one voucher");
      }
    }
    OP_ASSIGN(auto added, s.campaigns.add_vouchers(ctx.principal, ctx.params.get("campaignId"),
                                                   count, overrides, ctx.request_id));
    if (added.async_action_id) return accepted(*added.async_action_id);
    OP_ASSIGN(auto view, s.vouchers.view_of(ctx.principal, std::move(*added.voucher)));
    return Reply{200, serialize(voucher_json(view))};
  };
  router.add("POST", "/v1/campaigns/{campaignId}/vouchers",
             Route{Auth::kServer, [add_vouchers](Context& ctx) -> Result<Reply> {
                     return add_vouchers(ctx, std::nullopt);
                   }});
  router.add("POST", "/v1/campaigns/{campaignId}/vouchers/{code}",
             Route{Auth::kServer, [add_vouchers](Context& ctx) -> Result<Reply> {
                     return add_vouchers(ctx, std::string(ctx.params.get("code")));
                   }});

  // Campaign analytics. Redemption, validation and publication counters are zero because this
  // version records none of those yet (they come with the redemption and publication issues);
  // voucher counters are counted from the vouchers themselves.
  router.add(
      "GET", "/v1/campaigns/{campaignId}/summary",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_ASSIGN(auto c, s.campaigns.get(ctx.principal, ctx.params.get("campaignId")));
              std::optional<Instant> from;
              std::optional<Instant> to;
              for (auto [param, target] :
                   {std::pair{"start_date", &from}, std::pair{"end_date", &to}}) {
                if (auto raw = ctx.query.get(param)) {
                  auto t = parse_iso8601(*raw);
                  if (!t) {
                    return Error::invalid_query_params(std::string(param) +
                                                       " must be an ISO 8601 date");
                  }
                  *target = t;
                }
              }
              // An end_date given as a day includes that day.
              if (to && ctx.query.get("end_date")->size() == 10) to->millis += 86'400'000;
              OP_ASSIGN(auto counts,
                        s.store.count_campaign_vouchers(ctx.principal.project_id, c.id, from, to));
              json::object out;
              out["object"] = "campaign_summary";
              out["campaign"] = full_campaign_json(s, ctx.principal, c);
              for (const char* zero :
                   {"redemptions", "redemptions_succeeded", "redemptions_failed", "rollbacks",
                    "rollbacks_succeeded", "rollbacks_failed", "validations",
                    "validations_succeeded", "validations_failed"}) {
                out[zero] = 0;
              }
              out["vouchers_created"] = counts.created;
              out["vouchers_deleted"] = counts.deleted;
              for (const char* zero :
                   {"publications", "publications_succeeded", "publications_failed",
                    "discounted_amount", "rolledback_discounted_amount", "orders_amount",
                    "orders_rolledback_amount"}) {
                out[zero] = 0;
              }
              return Reply{200, serialize(out)};
            }});

  router.add(
      "GET", "/v1/async-actions",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
              add_shortcut(query, ctx.query, "type", "type");
              OP_ASSIGN(auto page, s.store.list_async_actions(ctx.principal.project_id, query));
              return Reply{200, serialize(list_json(page, async_action_json, "async_actions"))};
            }});

  router.add("GET", "/v1/async-actions/{asyncActionId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     const std::string_view id = ctx.params.get("asyncActionId");
                     OP_ASSIGN(auto found, s.store.find_async_action(ctx.principal.project_id, id));
                     if (!found) return Error::not_found("async_action", std::string(id));
                     return Reply{200, serialize(async_action_json(*found))};
                   }});
}

}  // namespace openpromo::api
