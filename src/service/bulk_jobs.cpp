#include "service/bulk_jobs.h"

#include <cmath>
#include <cstdlib>

#include "core/crypto.h"
#include "service/customer_service.h"
#include "service/key_service.h"
#include "service/product_service.h"
#include "service/voucher_service.h"
#include "store/async_action_repository.h"
#include "store/metadata_schema_repository.h"

namespace openpromo {
namespace {

bool one_of(std::string_view type, std::initializer_list<std::string_view> types) {
  for (std::string_view t : types) {
    if (t == type) return true;
  }
  return false;
}

Result<std::string> enqueue(Store& store, const Principal& who, std::string_view type,
                            JsonObject payload, const std::function<void()>& wake_jobs) {
  OP_TRY(require_admin(who, "run bulk updates"));
  AsyncAction action;
  action.id = new_id("aa_");
  action.project_id = who.project_id;
  action.type = std::string(type);
  action.request_id = who.request_id;
  action.payload = std::move(payload);
  action.payload["actor_key_id"] = who.key_id;  // the job acts as the key that asked
  action.created_at = now_utc();
  OP_TRY(store.in_write([&](UnitOfWork& tx) -> Status {
    OP_TRY(AsyncActionRepository(tx).insert(who.scope(), action));
    if (wake_jobs) tx.after_commit(wake_jobs);
    return {};
  }));
  return action.id;
}

std::string field_of(const Json& item, std::string_view key) {
  if (!item.is_object()) return {};
  const Json* v = item.as_object().if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string id_of(const Json& item) {
  return field_of(item, "id");
}

std::string source_of(const Json& item) {
  return field_of(item, "source_id");
}

// One item: the same upsert a single request makes.
Status write_item(std::string_view type, const Principal& who, const Wire& wire,
                  CustomerService& customers, ProductService& products, VoucherService& vouchers,
                  const JsonObject& item) {
  if (one_of(type, {kVouchersBulkUpdate, kVouchersMetadataUpdate})) {
    OP_ASSIGN(auto code, read_string(item, "code"));
    if (!code || code->empty()) return Error::invalid_payload("code is required");
    const Json* metadata = item.if_contains("metadata");
    if (!metadata || !metadata->is_object()) {
      return Error::invalid_payload("metadata must be an object (only metadata is updated)");
    }
    VoucherInput input;
    input.metadata = *metadata;  // merged into the code's own, as a voucher PUT does
    OP_ASSIGN(auto updated, vouchers.update(who, *code, input));
    (void)updated;
    return {};
  }
  if (one_of(type, {kCustomersBulkUpdate, kCustomersImportCsv, kCustomersMetadataUpdate})) {
    OP_ASSIGN(CustomerDraft draft, wire.customer_draft(item));
    if (!draft.source_id && !draft.id) return Error::invalid_payload("source_id is required");
    OP_TRY(customers.upsert(who, draft));
    return {};
  }
  if (one_of(type, {kProductsBulkUpdate, kProductsImportCsv, kProductsMetadataUpdate})) {
    OP_ASSIGN(CatalogDraft draft, wire.product_draft(item));
    if (!draft.source_id && !draft.id) return Error::invalid_payload("source_id is required");
    if (type == kProductsMetadataUpdate) {
      // By source id: updated, or created when missing (the reference's upsert); by product id
      // (`product_ids`): the product must exist.
      auto existing = products.get_product(who, draft.source_id ? *draft.source_id : *draft.id);
      if (existing.ok()) {
        OP_TRY(products.update_product(who, existing->product.id, draft));
        return {};
      }
      if (!draft.source_id) return existing.error();
    }
    OP_TRY(products.upsert_product(who, draft));
    return {};
  }
  // SKUS.IMPORT_CSV: the product must exist; a SKU with the row's source id is updated.
  OP_ASSIGN(CatalogDraft draft, wire.sku_draft(item));
  OP_ASSIGN(auto product_id, read_string(item, "product_id"));
  if (!product_id) return Error::invalid_payload("product_id is required");
  if (draft.source_id) {
    auto existing = products.get_sku(who, *draft.source_id);
    if (existing.ok()) {
      OP_TRY(products.update_sku(who, *product_id, existing->id, draft));
      return {};
    }
  }
  OP_TRY(products.create_sku(who, *product_id, draft));
  return {};
}

// CSV cells are text; metadata keys a schema types as number or boolean are converted first, so
// a typed schema does not refuse every imported row. Cells that do not convert stay text and
// fail the row with the schema's message.
void type_csv_metadata(JsonObject& item, const JsonObject& properties) {
  Json* metadata = item.if_contains("metadata");
  if (!metadata || !metadata->is_object()) return;
  for (auto& [key, value] : metadata->as_object()) {
    const Json* def = properties.if_contains(key);
    if (!value.is_string() || !def || !def->is_object()) continue;
    const Json* type = def->as_object().if_contains("type");
    if (!type || !type->is_string()) continue;
    const std::string text(value.as_string());
    if (type->as_string() == "number") {
      char* end = nullptr;
      const double d = std::strtod(text.c_str(), &end);
      if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(d)) {
        value = std::trunc(d) == d && std::fabs(d) < 9e15 ? Json(static_cast<int64_t>(d)) : Json(d);
      }
    } else if (type->as_string() == "boolean") {
      if (text == "true" || text == "TRUE" || text == "True") value = true;
      if (text == "false" || text == "FALSE" || text == "False") value = false;
    }
  }
}

std::string_view schema_object_of(std::string_view type) {
  if (type == kCustomersImportCsv) return "customer";
  if (type == kProductsImportCsv) return "product";
  if (type == kSkusImportCsv) return "sku";
  return {};
}

}  // namespace

Result<std::string> enqueue_bulk(Store& store, const Principal& who, std::string_view type,
                                 const JsonArray& items, const std::function<void()>& wake_jobs) {
  // An empty list is an action with nothing to do, as in the reference.
  if (items.size() > kMaxBulkItems) {
    return Error::invalid_payload("at most 10000 items per request");
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_object()) {
      return Error::invalid_payload("item " + std::to_string(i) + " must be an object");
    }
  }
  return enqueue(store, who, type, JsonObject{{"items", items}}, wake_jobs);
}

Result<std::string> enqueue_metadata_update(Store& store, const Principal& who,
                                            std::string_view type,
                                            const std::vector<std::string>& source_ids,
                                            const Json& metadata,
                                            const std::function<void()>& wake_jobs,
                                            std::string_view id_key) {
  if (source_ids.empty()) {
    return Error::invalid_payload("list at least one " + std::string(id_key));
  }
  if (source_ids.size() > kMaxBulkItems) {
    return Error::invalid_payload("at most 10000 items per request");
  }
  for (const std::string& id : source_ids) {
    if (id.empty())
      return Error::invalid_payload("each " + std::string(id_key) + " must be non-empty");
  }
  if (!metadata.is_object()) return Error::invalid_payload("metadata must be an object");
  JsonArray items;
  for (const std::string& id : source_ids) {
    items.push_back(JsonObject{{id_key, id}, {"metadata", metadata}});
  }
  return enqueue(store, who, type, JsonObject{{"items", std::move(items)}}, wake_jobs);
}

std::optional<Status> run_bulk_action(Store& store, const Wire& wire, const Principal& job,
                                      AsyncAction& action, const std::atomic<bool>& stopping,
                                      const Checkpoint& checkpoint) {
  const std::string_view type = action.type;
  // Acts as the key that queued it (events and audit entries name it).
  Principal who = job;
  if (const Json* key = action.payload.if_contains("actor_key_id"); key && key->is_string()) {
    who.key_id = std::string(key->as_string());
  }
  if (!one_of(type, {kCustomersBulkUpdate, kCustomersMetadataUpdate, kCustomersImportCsv,
                     kProductsBulkUpdate, kProductsMetadataUpdate, kProductsImportCsv,
                     kSkusImportCsv, kVouchersBulkUpdate, kVouchersMetadataUpdate})) {
    return std::nullopt;
  }
  const Json* items_json = action.payload.if_contains("items");
  if (!items_json || !items_json->is_array()) return Error::internal("malformed bulk payload");
  const JsonArray& items = items_json->as_array();
  CustomerService customers(store, wire);
  ProductService products(store);
  VoucherService vouchers(store, nullptr);
  JsonObject csv_properties;  // the schema's definitions, for CSV imports
  if (const std::string_view object = schema_object_of(type); !object.empty()) {
    OP_ASSIGN(auto tx, store.statements());
    OP_ASSIGN(auto schema, MetadataSchemaRepository(tx).find(who.scope(), object));
    if (schema) {
      if (const Json* p = schema->definition.if_contains("properties"); p && p->is_object()) {
        csv_properties = p->as_object();
      }
    }
  }
  // Failures recorded before a resume are kept.
  JsonArray failed;
  if (const Json* f = action.result.if_contains("failed"); f && f->is_array())
    failed = f->as_array();
  auto record = [&](int64_t done) {
    const auto failed_count = static_cast<int64_t>(failed.size());
    const auto total = static_cast<int64_t>(items.size());
    action.done_count = done;
    action.progress = total == 0 ? 100 : static_cast<int>(done * 100 / total);
    action.result["message"] =
        std::to_string(done - failed_count) + " of " + std::to_string(total) + " written";
    action.result["done_count"] = done - failed_count;
    action.result["failed_count"] = failed_count;
    action.result["failed"] = failed;
  };
  for (auto row = action.done_count; row < static_cast<int64_t>(items.size()); ++row) {
    if (stopping) return Status{};
    if (row > action.done_count && row % kCheckpointEvery == 0) {
      record(row);
      OP_TRY(checkpoint(action));
    }
    const Json& item = items[static_cast<size_t>(row)];
    Status written = Error::invalid_payload("not an object");
    if (item.is_object()) {
      JsonObject fields = item.as_object();
      if (!csv_properties.empty()) type_csv_metadata(fields, csv_properties);
      written = write_item(type, who, wire, customers, products, vouchers, fields);
    }
    if (!written.ok()) {
      JsonObject entry{{"row", row + 1},  // 1-based, not counting a CSV header
                       {"source_id", source_of(item)},
                       {"id", id_of(item)},
                       {"reason", written.error().details.empty() ? written.error().message
                                                                  : written.error().details}};
      if (one_of(type, {kVouchersBulkUpdate, kVouchersMetadataUpdate})) {
        entry["code"] = field_of(item, "code");
      }
      failed.push_back(std::move(entry));
    }
  }
  record(static_cast<int64_t>(items.size()));
  return Status{};
}

}  // namespace openpromo
