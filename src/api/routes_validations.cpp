// /v1/validation-rules (CRUD and assignments), POST /v1/validations, POST /client/v1/validations
// and the legacy POST /v1/vouchers/{code}/validate (contract tags validation-rules, validations).
#include <boost/json/object.hpp>

#include "api/app.h"
#include "api/json_codec.h"
#include "api/qualification_codec.h"
#include "api/rule_codec.h"
#include "api/validation_codec.h"
#include "core/crypto.h"

namespace openpromo::api {

namespace {

Result<Json> parse_any_body(std::string_view body) {
  if (body.empty()) return Json(JsonObject{});
  OP_ASSIGN(auto object, parse_object_body(body));
  return Json(std::move(object));
}

Result<Reply> validate(Services& services, Context& ctx) {
  OP_ASSIGN(auto body, parse_any_body(ctx.request.body));
  ValidationOptions options;
  OP_ASSIGN(auto request, decode_validation_request(body, options));
  OP_ASSIGN(auto run,
            services.validations.validate(ctx.principal, std::move(request), options.session));
  services.validation_tally.record(ctx.principal, run.decision, now_utc());
  ValidationIds ids{new_id("valid_"), run.tracking_id, ctx.request_id};
  if (run.session_key) options.session.key = run.session_key;
  return Reply{200, validation_text(run.decision, run.request, options, ids)};
}

Result<Reply> qualify(Services& services, Context& ctx) {
  OP_ASSIGN(auto body, parse_any_body(ctx.request.body));
  QualificationOptions options;
  OP_ASSIGN(auto input, decode_qualification(body, options));
  OP_ASSIGN(auto run, services.qualifications.qualify(ctx.principal, std::move(input)));
  return Reply{200, serialize(encode_qualification(run, options, ctx.request_id))};
}

}  // namespace

void add_validation_routes(Router<Route>& router, Services& services) {
  ValidationRuleService& rules = services.validation_rules;

  router.add("POST", "/v1/validation-rules",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_rule_input(body));
                     OP_ASSIGN(auto rule, rules.create(ctx.principal, input));
                     return Reply{200, serialize(validation_rule_json(rule))};
                   }});
  router.add("GET", "/v1/validation-rules",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page, rules.list(ctx.principal, query));
                     return Reply{200, serialize(list_json(page, validation_rule_json))};
                   }});
  router.add("GET", "/v1/validation-rules/{ruleId}",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto rule, rules.get(ctx.principal, ctx.params.get("ruleId")));
                     return Reply{200, serialize(validation_rule_json(rule))};
                   }});
  router.add("PUT", "/v1/validation-rules/{ruleId}",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_rule_input(body));
                     OP_ASSIGN(auto rule,
                               rules.update(ctx.principal, ctx.params.get("ruleId"), input));
                     return Reply{200, serialize(validation_rule_json(rule))};
                   }});
  router.add("DELETE", "/v1/validation-rules/{ruleId}",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_TRY(rules.remove(ctx.principal, ctx.params.get("ruleId")));
                     return Reply{204, ""};
                   }});
  router.add("POST", "/v1/validation-rules/{ruleId}/assignments",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto a, rules.assign(ctx.principal, ctx.params.get("ruleId"),
                                                    read_assignment_input(body)));
                     return Reply{200, serialize(assignment_json(a))};
                   }});
  router.add("GET", "/v1/validation-rules/{ruleId}/assignments",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page,
                               rules.assignments(ctx.principal, ctx.params.get("ruleId"), query));
                     return Reply{200, serialize(list_json(page, assignment_json))};
                   }});
  // The 2.x SDK's validationRules.listRulesAssignments: `rule` and `related_object_id` narrow.
  router.add("GET", "/v1/validation-rules-assignments",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
                     OP_ASSIGN(auto page,
                               rules.all_assignments(
                                   ctx.principal, ctx.query.get("rule").value_or(""),
                                   ctx.query.get("related_object_id").value_or(""), query));
                     return Reply{200, serialize(list_json(page, assignment_json))};
                   }});
  router.add("DELETE", "/v1/validation-rules/{ruleId}/assignments/{assignmentId}",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_TRY(rules.unassign(ctx.principal, ctx.params.get("ruleId"),
                                           ctx.params.get("assignmentId")));
                     return Reply{204, ""};
                   }});

  router.add("POST", "/v1/validations", Route{.auth = Auth::kServer, .handler = [&](Context& ctx) {
                                                return validate(services, ctx);
                                              }});
  router.add("POST", "/client/v1/validations",
             Route{.auth = Auth::kClient,
                   .handler = [&](Context& ctx) { return validate(services, ctx); }});

  router.add("POST", "/v1/qualifications",
             Route{.auth = Auth::kServer,
                   .handler = [&](Context& ctx) { return qualify(services, ctx); }});
  router.add("POST", "/client/v1/qualifications",
             Route{.auth = Auth::kClient,
                   .handler = [&](Context& ctx) { return qualify(services, ctx); }});

  router.add("DELETE", "/v1/vouchers/{code}/sessions/{sessionKey}",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_TRY(services.validations.release_session(
                         ctx.principal, ctx.params.get("code"), ctx.params.get("sessionKey")));
                     return Reply{204, ""};
                   }});

  router.add(
      "POST", "/v1/vouchers/{code}/validate",
      Route{
          .auth = Auth::kServer, .handler = [&](Context& ctx) -> Result<Reply> {
            OP_ASSIGN(auto body, parse_any_body(ctx.request.body));
            OP_ASSIGN(auto request, decode_legacy_validation(ctx.params.get("code"), body));
            OP_ASSIGN(auto run, services.validations.validate(ctx.principal, std::move(request)));
            services.validation_tally.record(ctx.principal, run.decision, now_utc());
            ValidationIds ids{new_id("valid_"), run.tracking_id, ctx.request_id};
            return Reply{200, serialize(encode_legacy_validation(run.decision, run.request, ids))};
          }});
}

}  // namespace openpromo::api
