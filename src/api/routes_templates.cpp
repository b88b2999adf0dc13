// Campaign templates (contract tag templates): CRUD on /v1/templates/campaigns, and campaigns
// and promotion tiers set up from a template.
#include "api/app.h"
#include "api/campaign_codec.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

json::object template_json(const CampaignTemplate& t) {
  json::object o;
  o["id"] = t.id;
  o["name"] = t.name;
  o["description"] = t.description ? json::value(*t.description) : json::value(nullptr);
  o["campaign_type"] = t.campaign_type;
  o["created_at"] = format_iso8601(t.created_at);
  if (t.updated_at) o["updated_at"] = format_iso8601(*t.updated_at);
  o["object"] = "campaign_template";
  return o;
}

Result<TemplateInput> read_template_input(const json::object& body) {
  TemplateInput in;
  OP_ASSIGN(in.name, read_string(body, "name"));
  OP_ASSIGN(in.description, read_string(body, "description"));
  OP_ASSIGN(in.campaign_id, read_string(body, "campaign_id"));
  OP_ASSIGN(in.promotion_tier_id, read_string(body, "promotion_tier_id"));
  return in;
}

json::array created_resources(const std::vector<std::string>& rule_ids) {
  json::array out;
  for (const std::string& id : rule_ids) {
    out.push_back(json::object{{"id", id}, {"object", "validation_rules"}});
  }
  return out;
}

}  // namespace

void add_template_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  router.add("GET", "/v1/templates/campaigns",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, s.templates.list(ctx.principal, query));
                     return Reply{200, serialize(list_json(page, template_json))};
                   }});
  router.add("POST", "/v1/templates/campaigns",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto in, read_template_input(body));
                     OP_ASSIGN(auto t, s.templates.create(ctx.principal, in));
                     return Reply{200, serialize(template_json(t))};
                   }});
  router.add("GET", "/v1/templates/campaigns/{campaignTemplateId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto t, s.templates.get(ctx.principal,
                                                       ctx.params.get("campaignTemplateId")));
                     return Reply{200, serialize(template_json(t))};
                   }});
  router.add("PUT", "/v1/templates/campaigns/{campaignTemplateId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto in, read_template_input(body));
                     OP_ASSIGN(auto t,
                               s.templates.update(ctx.principal,
                                                  ctx.params.get("campaignTemplateId"), in));
                     return Reply{200, serialize(template_json(t))};
                   }});
  router.add(
      "DELETE", "/v1/templates/campaigns/{campaignTemplateId}",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_TRY(s.templates.remove(ctx.principal, ctx.params.get("campaignTemplateId")));
              return Reply{204, ""};
            }});
  router.add("POST", "/v1/templates/campaigns/{campaignTemplateId}/campaign-setup",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto in, read_campaign_input(body));
                     OP_ASSIGN(auto made,
                               s.templates.campaign_setup(
                                   ctx.principal, ctx.params.get("campaignTemplateId"), in));
                     json::object o;
                     o["created_resources"] = created_resources(made.created_rule_ids);
                     o["campaign"] = campaign_json(made.created);
                     o["object"] = "campaign_setup";
                     return Reply{200, serialize(o)};
                   }});
  router.add("POST", "/v1/templates/campaigns/{campaignTemplateId}/tier-setup",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto in, read_tier_input(body));
                     OP_ASSIGN(auto campaign, read_string(body, "campaign_id"));
                     OP_ASSIGN(auto made, s.templates.tier_setup(
                                              ctx.principal, ctx.params.get("campaignTemplateId"),
                                              campaign.value_or(""), in));
                     json::object o;
                     o["created_resources"] = created_resources(made.created_rule_ids);
                     o["promotion_tier"] = tier_details_json(made.created);
                     o["object"] = "promotion_tier_setup";
                     return Reply{200, serialize(o)};
                   }});
}

}  // namespace openpromo::api
