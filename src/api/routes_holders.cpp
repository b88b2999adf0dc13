// Redeemable holders (spec 12): a customer's wallet `GET /v1/customers/{id}/redeemables` and the
// referral code holders `/v1/referrals[/{campaignId}]/members/{memberId}/holders[/{holderId}]`.
// Lists are cursor paged (`starting_after_id`, `more_starting_after`), newest first unless
// `order=id`.
#include "api/app.h"
#include "api/campaign_codec.h"
#include "api/customer_codec.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

json::value opt_text(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value();
}

// The fields a wallet entry and a holder share.
json::object holder_fields(const RedeemableHolder& h) {
  json::object o;
  o["id"] = h.id;
  o["created_at"] = format_iso8601(h.created_at);
  o["redeemable_id"] = h.redeemable_id;
  o["redeemable_object"] = h.redeemable_object;
  o["customer_id"] = h.customer_id;
  o["holder_role"] = h.holder_role;
  o["campaign_id"] = opt_text(h.campaign_id);
  o["campaign_type"] = opt_text(h.campaign_type);
  o["voucher_type"] = opt_text(h.voucher_type);
  return o;
}

json::object holder_json(const RedeemableHolder& h) {
  json::object o = holder_fields(h);
  o["object"] = "redeemable_holder";
  o["metadata"] = h.metadata;
  return o;
}

json::object wallet_entry_json(const WalletEntry& e) {
  json::object o = holder_fields(e.holder);
  json::object r;
  r["type"] = "voucher";
  r["voucher"] = voucher_json(e.voucher);
  r["status"] = e.status;
  o["redeemable"] = std::move(r);
  return o;
}

ReferralMember member_of(const Context& ctx) {
  ReferralMember m;
  if (auto c = ctx.params.get("campaignId"); !c.empty()) m.campaign = std::string(c);
  m.member = std::string(ctx.params.get("memberId"));
  return m;
}

Result<Reply> list_holders(Services& s, Context& ctx) {
  OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
  OP_ASSIGN(auto page, s.holders.holders(ctx.principal, member_of(ctx), query));
  return Reply{200, serialize(list_json(page, holder_json, "data"))};
}

// {holders: [customer, ...], metadata}: referees, upserted as customers.
Result<Reply> add_holders(Services& s, Context& ctx) {
  OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
  const auto* list = body.if_contains("holders");
  if (!list || !list->is_array()) {
    return Error::invalid_payload("holders must be an array of customers");
  }
  std::vector<CustomerDraft> referees;
  for (const json::value& item : list->as_array()) {
    if (!item.is_object()) return Error::invalid_payload("each holder must be a customer object");
    OP_ASSIGN(auto draft, read_customer_draft(item.as_object()));
    referees.push_back(std::move(draft));
  }
  JsonObject metadata;
  if (const auto* m = body.if_contains("metadata"); m && !m->is_null()) {
    if (!m->is_object()) return Error::invalid_payload("metadata must be an object");
    metadata = m->as_object();
  }
  OP_ASSIGN(auto added, s.holders.add_referees(ctx.principal, member_of(ctx), referees, metadata));
  json::array out;
  for (const RedeemableHolder& h : added) out.push_back(holder_json(h));
  return Reply{200, serialize(json::object{{"holders", std::move(out)}})};
}

Result<Reply> remove_holder(Services& s, Context& ctx) {
  OP_TRY(s.holders.remove_referee(ctx.principal, member_of(ctx), ctx.params.get("holderId")));
  return Reply{204, ""};
}

}  // namespace

void add_holder_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  router.add("GET", "/v1/customers/{customerId}/redeemables",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, s.holders.wallet(ctx.principal,
                                                           ctx.params.get("customerId"), query));
                     return Reply{200, serialize(list_json(page, wallet_entry_json, "data"))};
                   }});
  for (const char* base : {"/v1/referrals/{campaignId}/members/{memberId}/holders",
                           "/v1/referrals/members/{memberId}/holders"}) {
    const std::string holders(base);
    router.add("GET", holders,
               Route{Auth::kServer, [&s](Context& ctx) { return list_holders(s, ctx); }});
    router.add("POST", holders,
               Route{Auth::kServer, [&s](Context& ctx) { return add_holders(s, ctx); }});
    router.add("DELETE", holders + "/{holderId}",
               Route{Auth::kServer, [&s](Context& ctx) { return remove_holder(s, ctx); }});
  }
}

}  // namespace openpromo::api
