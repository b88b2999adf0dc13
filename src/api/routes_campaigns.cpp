// /v1/campaigns and /v1/async-actions (contract tags campaigns, async-actions).
#include <boost/json/object.hpp>
#include <charconv>

#include "api/app.h"
#include "api/campaign_codec.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

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
  if (auto v = params.get(param)) q.required.push_back(FilterCondition{field, FilterOp::kIs, {*v}});
}

}  // namespace

namespace {

json::object bin_entry_json(const BinEntry& e) {
  json::object o;
  o["id"] = e.id;
  o["created_at"] = format_iso8601(e.created_at);
  o["deleted_by_user_id"] = e.deleted_by_user_id ? json::value(*e.deleted_by_user_id) : nullptr;
  o["resource_id"] = e.resource_id;
  o["resource_type"] = e.resource_type;
  o["resource_name"] = e.resource_name;
  o["resource_parent_id"] = e.resource_parent_id ? json::value(*e.resource_parent_id) : nullptr;
  o["object"] = e.resource_type;
  return o;
}

json::object audit_entry_json(const AuditEntry& e) {
  json::object o;
  o["id"] = e.id;
  o["object"] = "audit_entry";
  o["created_at"] = format_iso8601(e.created_at);
  o["campaign_id"] = e.campaign_id;
  o["action"] = e.action;
  o["resource_type"] = e.resource_type;
  o["resource_id"] = e.resource_id;
  o["actor"] =
      json::object{{"key_id", e.actor_key_id.empty() ? json::value() : json::value(e.actor_key_id)},
                   {"role", e.actor_role}};
  o["before"] = e.before;
  o["after"] = e.after;
  o["request_id"] = e.request_id.empty() ? json::value() : json::value(e.request_id);
  return o;
}

}  // namespace

void add_campaign_routes(Router<Route>& router, Services& services) {
  Services& s = services;

  router.add("POST", "/v1/campaigns",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_campaign_input(body));
                     OP_ASSIGN(auto created, s.campaigns.create(ctx.principal, input));
                     json::object out = campaign_json(created);
                     if (created.async_action_id) out["async_action_id"] = *created.async_action_id;
                     return Reply{200, serialize(out)};
                   }});

  // Ours: {name, vouchers_count?}; the copy's configuration is the source's (CampaignService).
  router.add("POST", "/v1/campaigns/{campaignId}/clone",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto name, read_string(body, "name"));
                     if (!name || name->empty()) {
                       return Error::invalid_payload("name is required: the copy's own name");
                     }
                     OP_ASSIGN(auto count, read_integer(body, "vouchers_count"));
                     OP_ASSIGN(auto created,
                               s.campaigns.clone(ctx.principal, ctx.params.get("campaignId"), *name,
                                                 count.value_or(0)));
                     json::object out = campaign_json(created);
                     if (created.async_action_id) out["async_action_id"] = *created.async_action_id;
                     return Reply{200, serialize(out)};
                   }});

  router.add("GET", "/v1/campaigns",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     add_shortcut(query, ctx.query, "campaign_type", "campaign_type");
                     add_shortcut(query, ctx.query, "campaign_status", "creation_status");
                     OP_ASSIGN(auto page, s.campaigns.list(ctx.principal, query));
                     // `expand=access_settings_assignments` (also as expand[]=..., or listed
                     // with commas) adds each campaign's area and store assignments.
                     bool access = false;
                     for (const auto& p : ctx.query.all()) {
                       if (p.path.empty() || p.path[0] != "expand") continue;
                       access = access ||
                                p.value.find("access_settings_assignments") != std::string::npos;
                     }
                     for (auto& c : page.items) c.with_access = access;
                     auto encode = [](const CampaignDetails& c) { return campaign_json(c); };
                     return Reply{200, serialize(list_json(page, encode, "campaigns"))};
                   }});

  router.add("GET", "/v1/campaigns/{campaignId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto c,
                               s.campaigns.get(ctx.principal, ctx.params.get("campaignId")));
                     return Reply{200, serialize(campaign_json(c))};
                   }});

  router.add("PUT", "/v1/campaigns/{campaignId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_campaign_input(body));
                     OP_ASSIGN(auto c,
                               s.campaigns.update(ctx.principal, ctx.params.get("campaignId"),
                                                  input, body));
                     json::object out = campaign_json(c);
                     if (c.async_action_id) out["async_action_id"] = *c.async_action_id;
                     return Reply{200, serialize(out)};
                   }});

  // Ours: the campaign's maintenance log, cursor paged.
  router.add("GET", "/v1/campaigns/{campaignId}/audit",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, s.campaigns.audit(ctx.principal,
                                                            ctx.params.get("campaignId"), query));
                     return Reply{200, serialize(list_json(page, audit_entry_json))};
                   }});
  // The bin (spec 13.4): what DELETE without force left, cursor paged; purging an entry deletes
  // its campaign or voucher for good.
  router.add("GET", "/v1/trash-bin",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, s.bin.list(ctx.principal, query));
                     return Reply{200, serialize(list_json(page, bin_entry_json))};
                   }});
  router.add("DELETE", "/v1/trash-bin/{binEntryId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(s.bin.purge(ctx.principal, ctx.params.get("binEntryId")));
                     return Reply{204, ""};
                   }});
  router.add("DELETE", "/v1/campaigns/{campaignId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto action,
                               s.campaigns.remove(ctx.principal, ctx.params.get("campaignId"),
                                                  force_param(ctx)));
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
    OP_ASSIGN(auto parsed, parse_json_body(ctx.request.body));
    // The 2.x SDK's campaigns.addVoucher(name, 5) sends the count as the whole body.
    std::optional<int64_t> body_count;
    if (parsed.is_number() && !code) {
      if (!parsed.is_int64() && !parsed.is_uint64()) {
        return Error::invalid_payload("a number body is the count of vouchers: a whole number");
      }
      body_count = parsed.is_int64() ? parsed.as_int64() : -1;
      parsed = json::object{};
    }
    if (!parsed.is_object()) {
      return Error::invalid_payload(
          code ? "The request body must be a JSON object"
               : "The request body must be a JSON object (the voucher's settings) or a number "
                 "(how many vouchers to add)");
    }
    OP_ASSIGN(auto overrides, read_voucher_input(parsed.as_object()));
    if (code) overrides.code = code;
    int64_t count = body_count.value_or(1);
    if (auto raw = ctx.query.get("vouchers_count")) {
      int64_t from_query = 0;
      const auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), from_query);
      if (ec != std::errc() || end != raw->data() + raw->size()) {
        return Error::invalid_query_params("vouchers_count must be an integer");
      }
      if (code && from_query != 1) {
        return Error::invalid_query_params("a given code adds exactly one voucher");
      }
      if (body_count && *body_count != from_query) {
        return Error::invalid_query_params(
            "vouchers_count in the query and the count sent as the body differ");
      }
      count = from_query;
    }
    OP_ASSIGN(auto added, s.vouchers.add_to_campaign(ctx.principal, ctx.params.get("campaignId"),
                                                     count, overrides));
    if (added.async_action_id) return accepted(*added.async_action_id);
    return Reply{200, serialize(voucher_json(*added.voucher))};
  };
  router.add("POST", "/v1/campaigns/{campaignId}/vouchers",
             Route{Auth::kServer, [add_vouchers](Context& ctx) -> Result<Reply> {
                     return add_vouchers(ctx, std::nullopt);
                   }});
  router.add("POST", "/v1/campaigns/{campaignId}/vouchers/{code}",
             Route{Auth::kServer, [add_vouchers](Context& ctx) -> Result<Reply> {
                     return add_vouchers(ctx, std::string(ctx.params.get("code")));
                   }});

  router.add("GET", "/v1/campaigns/{campaignId}/summary",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
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
                     // Ours: `area_id` / `area_store_id` cut the redemption counters by the store
                     // the redeeming key spoke for (README, per-store reports).
                     StoreCut cut{ctx.query.get("area_id"), ctx.query.get("area_store_id")};
                     OP_ASSIGN(auto summary,
                               s.campaigns.summary(ctx.principal, ctx.params.get("campaignId"),
                                                   from, to, cut));
                     return Reply{200, serialize(campaign_summary_json(summary))};
                   }});

  router.add(
      "GET", "/v1/async-actions",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
              add_shortcut(query, ctx.query, "type", "type");
              OP_ASSIGN(auto page, s.campaigns.async_actions(ctx.principal, query));
              return Reply{200, serialize(list_json(page, async_action_json, "async_actions"))};
            }});

  router.add("GET", "/v1/async-actions/{asyncActionId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto found, s.campaigns.async_action(
                                               ctx.principal, ctx.params.get("asyncActionId")));
                     return Reply{200, serialize(async_action_json(found))};
                   }});
}

}  // namespace openpromo::api
