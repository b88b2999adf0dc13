#include "service/category_service.h"

#include "core/crypto.h"
#include "service/key_service.h"
#include "service/stacking_service.h"
#include "store/category_repository.h"

namespace openpromo {
namespace {

Status check_name(const std::string& name) {
  if (name.empty()) return Error::invalid_payload("name must not be empty");
  if (name.size() > CategoryService::kMaxNameLength) {
    return Error::invalid_payload("name must be at most " +
                                  std::to_string(CategoryService::kMaxNameLength) + " characters");
  }
  return {};
}

Status check_hierarchy(int64_t hierarchy) {
  if (hierarchy < 0) return Error::invalid_payload("hierarchy must be an integer >= 0");
  return {};
}

}  // namespace

Result<Category> CategoryService::create(const Principal& who, const CategoryDraft& draft) {
  OP_TRY(require_admin(who, "create categories"));
  if (!draft.name) return Error::invalid_payload("name is required");
  if (!draft.hierarchy) return Error::invalid_payload("hierarchy is required");
  OP_TRY(check_name(*draft.name));
  OP_TRY(check_hierarchy(*draft.hierarchy));
  Category c;
  c.id = new_id("cat_");
  c.project_id = who.project_id;
  c.name = *draft.name;
  c.hierarchy = *draft.hierarchy;
  c.created_at = now_utc();
  OP_TRY(store_.in_write(
      [&](UnitOfWork& tx) { return CategoryRepository(tx).insert(who.scope(), c); }));
  return c;
}

Result<Category> CategoryService::get(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, CategoryRepository(tx).find(who.scope(), id));
  if (!found) return Error::not_found("category", std::string(id));
  return std::move(*found);
}

Result<Page<Category>> CategoryService::list(const Principal& who, const ListQuery& query) {
  return store_.in_snapshot(
      [&](UnitOfWork& tx) { return CategoryRepository(tx).list(who.scope(), query); });
}

Result<Category> CategoryService::update(const Principal& who, std::string_view id,
                                         const CategoryDraft& draft) {
  if (draft.name) OP_TRY(check_name(*draft.name));
  if (draft.hierarchy) OP_TRY(check_hierarchy(*draft.hierarchy));
  // One statement: concurrent partial updates of different fields never undo each other.
  return store_.in_write([&](UnitOfWork& tx) {
    return CategoryRepository(tx).update(who.scope(), id, draft, now_utc());
  });
}

Status CategoryService::remove(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete categories"));
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    // A category the stacking rules name decides how incentives combine: keep it while named.
    OP_ASSIGN(const bool named, stacking_names_category(tx, who.scope(), id));
    if (named) {
      return Error::resource_in_use("category", std::string(id),
                                    "The project's stacking rules name the category");
    }
    return CategoryRepository(tx).remove(who.scope(), id);
  });
}

}  // namespace openpromo
