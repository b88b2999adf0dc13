// Redemptions and rollbacks (contract tags redemptions, client-side): POST /v1/redemptions, the
// legacy single-code redemptions, rollbacks, the redemption lists, and the client-side
// redemption that a project must enable.
//
// An optional `Idempotency-Key` header (ours) makes a redemption or rollback retry-safe: the
// first answer is stored with the effects it reports, in the same transaction; a retry with the
// same key and body within 24 hours gets it back and consumes nothing, and the same key with a
// different body is 409 idempotency_key_reused.
#include "api/app.h"
#include "api/json_codec.h"
#include "api/redemption_codec.h"
#include "core/crypto.h"

namespace openpromo::api {
namespace {

Result<Json> parse_any_body(std::string_view body) {
  if (body.empty()) return Json(JsonObject{});
  OP_ASSIGN(auto object, parse_object_body(body));
  return Json(std::move(object));
}

// The header's key and what identifies the request it came with: method, path and the body as
// parsed (so whitespace does not make a retry a different request).
Result<std::optional<IdempotencyInput>> idempotency_of(const Context& ctx, const Json& body) {
  const std::string_view key = ctx.request.header("idempotency-key");
  if (key.empty()) return std::optional<IdempotencyInput>{};
  if (key.size() > 255)
    return Error::invalid_payload("Idempotency-Key is longer than 255 characters");
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) {
      return Error::invalid_payload("Idempotency-Key may hold printable ASCII characters only");
    }
  }
  IdempotencyInput in;
  in.key = std::string(key);
  in.request_hash = sha256_hex(ctx.request.method + " " + std::string(ctx.request.path()) + "\n" +
                               serialize(body));
  return std::optional<IdempotencyInput>(std::move(in));
}

Reply reply_of(Answer a) {
  return Reply{a.status, std::move(a.body)};
}

Result<Reply> redeem(Services& s, Context& ctx, RedemptionInput input, const Json& body) {
  OP_ASSIGN(auto idem, idempotency_of(ctx, body));
  const std::string request_id = ctx.request_id;
  OP_ASSIGN(Answer a, s.redemptions.redeem(ctx.principal, std::move(input), idem,
                                           [&](const RedemptionOutcome& out) {
                                             return encode_redemption_outcome(out, request_id);
                                           }));
  return reply_of(std::move(a));
}

Result<Reply> stacked(Services& s, Context& ctx) {
  OP_ASSIGN(Json body, parse_any_body(ctx.request.body));
  ValidationOptions options;
  OP_ASSIGN(RedemptionInput input, decode_redemption(body, options));
  return redeem(s, ctx, std::move(input), body);
}

Result<Reply> rollback(Services& s, Context& ctx, std::string_view id, bool is_stacked) {
  OP_ASSIGN(Json body, parse_any_body(ctx.request.body));
  OP_ASSIGN(RollbackInput input, decode_rollback(id, is_stacked, ctx.query, body));
  OP_ASSIGN(auto idem, idempotency_of(ctx, body));
  const std::string request_id = ctx.request_id;
  OP_ASSIGN(Answer a,
            s.redemptions.rollback(ctx.principal, input, idem, [&](const RollbackOutcome& out) {
              return encode_rollback_outcome(out, is_stacked, request_id);
            }));
  return reply_of(std::move(a));
}

Status client_may_redeem(const Context& ctx) {
  if (ctx.principal.project.client_redeem_enabled) return {};
  return Error{403,         "client_redemption_disabled",
               "Forbidden", "Client-side redemption is not enabled for this project",
               {},          {}};
}

}  // namespace

void add_redemption_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  router.add("POST", "/v1/redemptions",
             Route{Auth::kServer, [&s](Context& ctx) { return stacked(s, ctx); }});
  router.add("POST", "/client/v1/redemptions",
             Route{Auth::kClient, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(client_may_redeem(ctx));
                     return stacked(s, ctx);
                   }});
  router.add("POST", "/v1/vouchers/{code}/redemption",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(Json body, parse_any_body(ctx.request.body));
                     OP_ASSIGN(RedemptionInput input,
                               decode_legacy_redemption("voucher", ctx.params.get("code"), body));
                     return redeem(s, ctx, std::move(input), body);
                   }});
  router.add("POST", "/client/v1/redeem",
             Route{Auth::kClient, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(client_may_redeem(ctx));
                     const auto code = ctx.query.get("code");
                     if (!code || code->empty()) {
                       return Error::invalid_query_params("code is required");
                     }
                     OP_ASSIGN(Json body, parse_any_body(ctx.request.body));
                     OP_ASSIGN(RedemptionInput input,
                               decode_legacy_redemption("voucher", *code, body));
                     return redeem(s, ctx, std::move(input), body);
                   }});
  router.add("POST", "/v1/promotions/tiers/{promotionTierId}/redemption",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(Json body, parse_any_body(ctx.request.body));
                     OP_ASSIGN(RedemptionInput input,
                               decode_legacy_redemption("promotion_tier",
                                                        ctx.params.get("promotionTierId"), body));
                     return redeem(s, ctx, std::move(input), body);
                   }});

  router.add("POST", "/v1/redemptions/{redemptionId}/rollback",
             Route{Auth::kServer, [&s](Context& ctx) {
                     return rollback(s, ctx, ctx.params.get("redemptionId"), false);
                   }});
  router.add("POST", "/v1/redemptions/{parentRedemptionId}/rollbacks",
             Route{Auth::kServer, [&s](Context& ctx) {
                     return rollback(s, ctx, ctx.params.get("parentRedemptionId"), true);
                   }});

  router.add("GET", "/v1/redemptions",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto filter, decode_redemption_filter(ctx.query));
                     if (query.filters_or && !query.filters.empty() &&
                         (filter.result || filter.campaign_id || filter.customer_id ||
                          filter.order_id || filter.related_object_id)) {
                       return Error::invalid_query_params(
                           "filters[junction]=or cannot be combined "
                           "with result, campaign, customer, order or "
                           "voucher");
                     }
                     OP_ASSIGN(auto page, s.redemptions.list(ctx.principal, filter, query));
                     return Reply{200, serialize(list_json(page, redemption_json, "redemptions"))};
                   }});
  router.add(
      "GET", "/v1/redemptions/{redemptionId}",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_ASSIGN(RedemptionRecord record,
                        s.redemptions.get(ctx.principal, ctx.params.get("redemptionId")));
              if (const auto* d = std::get_if<RedemptionDetails>(&record)) {
                return Reply{200, serialize(redemption_json(*d))};
              }
              return Reply{200, serialize(rollback_json(std::get<RedemptionRollback>(record)))};
            }});
  router.add("GET", "/v1/vouchers/{code}/redemption",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(
                         VoucherRedemptions r,
                         s.redemptions.of_voucher(ctx.principal, ctx.params.get("code"), query));
                     JsonObject out;
                     out["quantity"] =
                         r.quantity ? boost::json::value(*r.quantity) : boost::json::value(nullptr);
                     out["redeemed_quantity"] = r.redeemed_quantity;
                     out["object"] = "list";
                     out["url"] = "/v1/vouchers/" + r.code +
                                  "/redemptions?page=" + std::to_string(query.page) +
                                  "&limit=" + std::to_string(query.limit);
                     out["data_ref"] = "redemption_entries";
                     out["total"] = r.page.total;
                     boost::json::array entries;
                     for (const RedemptionDetails& d : r.page.items) {
                       entries.push_back(redemption_json(d));
                     }
                     out["redemption_entries"] = std::move(entries);
                     return Reply{200, serialize(out)};
                   }});
}

}  // namespace openpromo::api
