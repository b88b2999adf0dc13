#include "service/stacking_service.h"

#include <set>

#include "core/crypto.h"
#include "engine/definitions.h"
#include "service/events.h"
#include "service/key_service.h"
#include "store/category_repository.h"
#include "store/stacking_repository.h"

namespace openpromo {
namespace {

// Every category id the settings name.
std::set<std::string> categories_named(const engine::StackingRules& s) {
  std::set<std::string> out;
  for (const auto* list :
       {&s.exclusive_categories, &s.joint_categories, &s.no_effect_skip_categories,
        &s.no_effect_redeem_anyway_categories, &s.initial_amount_mode_categories,
        &s.discounted_amount_mode_categories}) {
    out.insert(list->begin(), list->end());
  }
  for (const auto& [id, n] : s.applicable_redeemables_category_limits) out.insert(id);
  return out;
}

// The settings parsed and checked against the project's categories, as they will be stored.
Result<JsonObject> normalised(UnitOfWork& tx, const Scope& scope, const JsonObject& settings) {
  OP_ASSIGN(engine::StackingRules parsed, engine::parse_stacking_rules(Json(settings)));
  CategoryRepository categories(tx);
  for (const std::string& id : categories_named(parsed)) {
    OP_ASSIGN(auto found, categories.find(scope, id));
    if (!found) {
      return Error::invalid_payload("stacking_rules names category " + id +
                                    ", which is not a category of this project");
    }
  }
  return engine::stacking_rules_to_json(parsed);
}

Error exists_already() {
  return Error{409,
               "stacking_rules_exist",
               "Stacking rules exist",
               "The project already has stacking rules: update them instead",
               {},
               "stacking_rules"};
}

}  // namespace

Result<StackingSettings> StackingService::create(const Principal& who, const JsonObject& settings) {
  OP_TRY(require_admin(who, "change stacking rules"));
  const Scope scope = who.scope();
  return store_.in_write([&](UnitOfWork& tx) -> Result<StackingSettings> {
    StackingSettings s;
    s.id = new_id("stk_");
    s.project_id = who.project_id;
    OP_ASSIGN(s.definition, normalised(tx, scope, settings));
    s.created_at = now_utc();
    OP_ASSIGN(const bool inserted, StackingRepository(tx).insert_if_none(scope, s));
    if (!inserted) return exists_already();
    OP_TRY(record_event(tx, who, "project.stacking_rules.created", s.id, JsonObject{{"id", s.id}}));
    return s;
  });
}

Result<std::vector<StackingSettings>> StackingService::list(const Principal& who) {
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, StackingRepository(tx).find(who.scope()));
  std::vector<StackingSettings> out;
  if (found) out.push_back(std::move(*found));
  return out;
}

Result<StackingSettings> StackingService::get(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, StackingRepository(tx).find(who.scope()));
  if (!found || found->id != id) return Error::not_found("stacking_rules", std::string(id));
  return std::move(*found);
}

Result<StackingSettings> StackingService::update(const Principal& who, std::string_view id,
                                                 const JsonObject& settings) {
  OP_TRY(require_admin(who, "change stacking rules"));
  const Scope scope = who.scope();
  return store_.in_write([&](UnitOfWork& tx) -> Result<StackingSettings> {
    StackingRepository repo(tx);
    OP_ASSIGN(auto found, repo.find(scope));
    if (!found || found->id != id) return Error::not_found("stacking_rules", std::string(id));
    StackingSettings s = std::move(*found);
    JsonObject merged = s.definition;
    for (const auto& [k, v] : settings) merged[k] = v;
    OP_ASSIGN(s.definition, normalised(tx, scope, merged));
    s.unreadable.reset();
    s.updated_at = now_utc();
    OP_TRY(repo.update(scope, s));
    OP_TRY(record_event(tx, who, "project.stacking_rules.updated", s.id, JsonObject{{"id", s.id}}));
    return s;
  });
}

Status StackingService::remove(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete stacking rules"));
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_TRY(StackingRepository(tx).remove(who.scope(), id));
    return record_event(tx, who, "project.stacking_rules.deleted", id,
                        JsonObject{{"id", std::string(id)}});
  });
}

Result<bool> stacking_names_category(UnitOfWork& tx, const Scope& scope,
                                     std::string_view category_id) {
  OP_ASSIGN(auto found, StackingRepository(tx).find(scope));
  if (!found) return false;
  auto parsed = engine::parse_stacking_rules(Json(found->definition));
  if (!parsed.ok()) return false;  // unreadable settings name nothing that could be kept safe
  return categories_named(*parsed).contains(std::string(category_id));
}

}  // namespace openpromo
