// /v1/categories: create, list, get, update, delete (contract tag "categories").
#include <boost/json/object.hpp>

#include "api/app.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

// The contract's list-categories takes no paging parameters and clients expect every category,
// so the default page is the maximum (100); limit/page/order/cursor/filters still apply.
constexpr int kDefaultListLimit = 100;

Result<CategoryDraft> read_draft(const HttpRequest& request) {
  OP_ASSIGN(auto body, parse_object_body(request.body));
  CategoryDraft draft;
  OP_ASSIGN(draft.name, read_string(body, "name"));
  OP_ASSIGN(draft.hierarchy, read_integer(body, "hierarchy"));
  return draft;
}

Reply category_reply(const Category& c) {
  return Reply{200, serialize(category_json(c))};
}

}  // namespace

void add_category_routes(Router<Route>& router, Services& services) {
  CategoryService& categories = services.categories;

  router.add("POST", "/v1/categories", Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                                               OP_ASSIGN(auto draft, read_draft(ctx.request));
                                               OP_ASSIGN(auto created,
                                                         categories.create(ctx.principal, draft));
                                               return category_reply(created);
                                             }});

  router.add("GET", "/v1/categories",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, kDefaultListLimit));
                     OP_ASSIGN(auto page, categories.list(ctx.principal, query));
                     return Reply{200, serialize(list_json(page, category_json))};
                   }});

  router.add("GET", "/v1/categories/{categoryId}",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto found,
                               categories.get(ctx.principal, ctx.params.get("categoryId")));
                     return category_reply(found);
                   }});

  router.add("PUT", "/v1/categories/{categoryId}",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto draft, read_draft(ctx.request));
                     OP_ASSIGN(
                         auto updated,
                         categories.update(ctx.principal, ctx.params.get("categoryId"), draft));
                     return category_reply(updated);
                   }});

  router.add("DELETE", "/v1/categories/{categoryId}",
             Route{Auth::kServer, [&](Context& ctx) -> Result<Reply> {
                     OP_TRY(categories.remove(ctx.principal, ctx.params.get("categoryId")));
                     return Reply{204, ""};
                   }});
}

}  // namespace openpromo::api
