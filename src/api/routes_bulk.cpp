// Bulk writes of customers, products and SKUs: `/v1/customers/bulk/async`,
// `/v1/customers/metadata/async`, the products twins, and the CSV imports
// (`/v1/customers/importCSV`, `/v1/products/importCSV`, `/v1/skus/importCSV`). Each becomes an
// async action (service/bulk_jobs.h); this file turns bodies and CSV rows into plain objects.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <charconv>

#include "api/app.h"
#include "api/json_codec.h"
#include "api/multipart.h"
#include "service/bulk_jobs.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

Reply action_reply(int status, const std::string& id) {
  return Reply{status, serialize(json::object{{"async_action_id", id}})};
}

// The `file` part of a multipart upload as CSV rows (header first).
Result<std::vector<std::vector<std::string>>> csv_upload(const HttpRequest& request) {
  const auto boundary = multipart_boundary(request.header("content-type"));
  if (!boundary) {
    return Error{415,
                 "unsupported_media_type",
                 "Unsupported media type",
                 "Upload the CSV as multipart/form-data with a `file` field",
                 {},
                 {}};
  }
  OP_ASSIGN(auto parts, parse_multipart(request.body, *boundary));
  for (const auto& p : parts) {
    if (p.name != "file") continue;
    OP_ASSIGN(auto rows, parse_csv(p.data));
    if (rows.size() < 2) return Error::invalid_payload("the CSV needs a header row and a data row");
    if (rows.size() - 1 > kMaxBulkItems) {
      return Error::invalid_payload("at most 10000 rows per file");
    }
    return rows;
  }
  return Error::invalid_payload("the multipart body has no `file` field");
}

// A whole number cell as a number; anything else stays text, so the row fails with a clear
// reason when it is written.
json::value number_or_text(const std::string& cell) {
  int64_t n = 0;
  const auto* end = cell.data() + cell.size();
  const auto parsed = std::from_chars(cell.data(), end, n);
  if (parsed.ec == std::errc() && parsed.ptr == end) return n;
  return json::value(cell);
}

// CSV rows -> objects. `fields`: the columns that are object fields (by csv_column_key);
// `address_*` columns go into `address` when `with_address`; `metadata_<name>` and every other
// column become metadata strings (spec 16.1: unknown metadata is imported as text). Empty cells
// are left out.
json::array rows_to_objects(const std::vector<std::vector<std::string>>& rows,
                            std::initializer_list<std::string_view> fields, bool with_address,
                            std::initializer_list<std::string_view> numeric = {}) {
  std::vector<std::string> keys;
  for (const auto& h : rows[0]) keys.push_back(csv_column_key(h));
  json::array out;
  for (size_t r = 1; r < rows.size(); ++r) {
    json::object o;
    json::object metadata;
    json::object address;
    for (size_t c = 0; c < rows[r].size() && c < keys.size(); ++c) {
      const std::string& cell = rows[r][c];
      if (cell.empty()) continue;
      const std::string& key = keys[c];
      bool is_field = false;
      for (std::string_view f : fields) is_field = is_field || key == f;
      bool is_number = false;
      for (std::string_view f : numeric) is_number = is_number || key == f;
      if (is_field) {
        o[key] = is_number ? number_or_text(cell) : json::value(cell);
      } else if (with_address && key.starts_with("address_")) {
        address[key.substr(8)] = cell;
      } else if (key.starts_with("metadata_")) {
        metadata[key.substr(9)] = cell;
      } else {
        metadata[rows[0][c]] = cell;
      }
    }
    if (!address.empty()) o["address"] = std::move(address);
    if (!metadata.empty()) o["metadata"] = std::move(metadata);
    out.push_back(std::move(o));
  }
  return out;
}

// `attributes` cells: a product's are a comma-separated list of names; a SKU's a JSON object,
// often written with single quotes ("{'color':'blue'}").
void read_attribute_cells(json::array& items, bool sku) {
  for (json::value& item : items) {
    json::object& o = item.as_object();
    json::value* a = o.if_contains("attributes");
    if (!a || !a->is_string()) continue;
    std::string text(a->as_string());
    if (sku) {
      for (char& c : text) c = c == '\'' ? '"' : c;
      boost::system::error_code ec;
      json::value parsed = json::parse(text, ec);
      if (!ec) *a = std::move(parsed);  // else left as text: the row fails with a reason
    } else {
      json::array names;
      size_t start = 0;
      while (start <= text.size()) {
        const size_t comma = text.find(',', start);
        std::string name =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        while (!name.empty() && name.front() == ' ') name.erase(name.begin());
        while (!name.empty() && name.back() == ' ') name.pop_back();
        if (!name.empty()) names.push_back(json::value(name));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      *a = std::move(names);
    }
  }
}

}  // namespace

void add_bulk_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  auto enqueue_array = [&s](Context& ctx, std::string_view type) -> Result<Reply> {
    // An empty body is an empty list (the reference answers with an action that has nothing to
    // do), as POST /v1/campaigns/{id}/vouchers takes an empty body for "no overrides".
    const bool blank = ctx.request.body.find_first_not_of(" \t\r\n") == std::string::npos;
    json::array body;
    if (!blank) {
      OP_ASSIGN(body, parse_array_body(ctx.request.body));
    }
    OP_ASSIGN(auto id, s.bulk.enqueue(ctx.principal, type, body));
    return action_reply(202, id);
  };
  auto enqueue_metadata = [&s](Context& ctx, std::string_view type) -> Result<Reply> {
    OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
    // Products may also be named by their ids (`product_ids`, what the 3.x SDK's examples send).
    const bool products = type == kProductsMetadataUpdate;
    // Vouchers are named by their codes (`codes`, VouchersMetadataUpdateInBulkRequestBody).
    const bool vouchers = type == kVouchersMetadataUpdate;
    const json::value* ids = body.if_contains(vouchers ? "codes" : "source_ids");
    const json::value* product_ids = products ? body.if_contains("product_ids") : nullptr;
    if (ids && product_ids) {
      return Error::invalid_payload("send source_ids or product_ids, not both");
    }
    const char* field = product_ids ? "product_ids" : vouchers ? "codes" : "source_ids";
    if (product_ids) ids = product_ids;
    if (!ids || !ids->is_array()) {
      return Error::invalid_payload(
          products   ? "source_ids (or product_ids) must list at least one product"
          : vouchers ? "codes must list at least one voucher code"
                     : "source_ids must list at least one source id");
    }
    std::vector<std::string> source_ids;
    for (const json::value& id : ids->as_array()) {
      if (!id.is_string()) {
        return Error::invalid_payload(std::string(field) + " must be non-empty strings");
      }
      source_ids.emplace_back(id.as_string());
    }
    const json::value* metadata = body.if_contains("metadata");
    OP_ASSIGN(auto id, s.bulk.enqueue_metadata(ctx.principal, type, source_ids,
                                               metadata ? *metadata : json::value(nullptr),
                                               product_ids ? "id"
                                               : vouchers  ? "code"
                                                           : "source_id"));
    return action_reply(202, id);
  };
  router.add("POST", "/v1/customers/bulk/async",
             Route{Auth::kServer, [enqueue_array](Context& ctx) {
                     return enqueue_array(ctx, kCustomersBulkUpdate);
                   }});
  router.add("POST", "/v1/customers/metadata/async",
             Route{Auth::kServer, [enqueue_metadata](Context& ctx) {
                     return enqueue_metadata(ctx, kCustomersMetadataUpdate);
                   }});
  router.add("POST", "/v1/products/bulk/async", Route{Auth::kServer, [enqueue_array](Context& ctx) {
                                                        return enqueue_array(ctx,
                                                                             kProductsBulkUpdate);
                                                      }});
  router.add("POST", "/v1/vouchers/bulk/async", Route{Auth::kServer, [enqueue_array](Context& ctx) {
                                                        return enqueue_array(ctx,
                                                                             kVouchersBulkUpdate);
                                                      }});
  router.add("POST", "/v1/vouchers/metadata/async",
             Route{Auth::kServer, [enqueue_metadata](Context& ctx) {
                     return enqueue_metadata(ctx, kVouchersMetadataUpdate);
                   }});
  router.add("POST", "/v1/products/metadata/async",
             Route{Auth::kServer, [enqueue_metadata](Context& ctx) {
                     return enqueue_metadata(ctx, kProductsMetadataUpdate);
                   }});

  // CSV imports. Status codes as the contract gives them: customers 202, products and SKUs 200.
  router.add("POST", "/v1/customers/importCSV",
             Route{Auth::kServer,
                   [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto rows, csv_upload(ctx.request));
                     json::array items = rows_to_objects(
                         rows,
                         {"id", "source_id", "name", "email", "phone", "birthdate", "description"},
                         /*with_address=*/true);
                     OP_ASSIGN(auto id, s.bulk.enqueue(ctx.principal, kCustomersImportCsv, items));
                     return action_reply(202, id);
                   },
                   true});
  router.add("POST", "/v1/products/importCSV",
             Route{Auth::kServer,
                   [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto rows, csv_upload(ctx.request));
                     json::array items = rows_to_objects(
                         rows, {"name", "source_id", "price", "attributes", "image_url"}, false,
                         {"price"});
                     read_attribute_cells(items, /*sku=*/false);
                     OP_ASSIGN(auto id, s.bulk.enqueue(ctx.principal, kProductsImportCsv, items));
                     return action_reply(200, id);
                   },
                   true});
  router.add("POST", "/v1/skus/importCSV",
             Route{Auth::kServer,
                   [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto rows, csv_upload(ctx.request));
                     json::array items = rows_to_objects(rows,
                                                         {"product_id", "sku", "source_id", "price",
                                                          "currency", "image_url", "attributes"},
                                                         false, {"price"});
                     read_attribute_cells(items, /*sku=*/true);
                     OP_ASSIGN(auto id, s.bulk.enqueue(ctx.principal, kSkusImportCsv, items));
                     return action_reply(200, id);
                   },
                   true});
}

}  // namespace openpromo::api
