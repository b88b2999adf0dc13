// Bulk writes of customers, products and SKUs as async actions (spec 16.1, 16.3; contract
// update-customers-in-bulk, update-customers-metadata-in-bulk, the products twins and the CSV
// imports). The API turns the body or CSV into plain JSON objects and enqueues; a JobRunner
// upserts them one by one with the same services and checks as single writes, so a bad row
// fails alone and is reported in the action's result ({message, done_count, failed_count,
// failed[{row, source_id, reason}]}). Upserts by source_id make a rerun after a crash harmless.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "model/api_key.h"
#include "model/async_action.h"
#include "store/store.h"

namespace openpromo {

// Action types run here.
inline constexpr std::string_view kCustomersBulkUpdate = "CUSTOMERS.BULK_UPDATE";
inline constexpr std::string_view kCustomersMetadataUpdate = "CUSTOMERS.METADATA_UPDATE";
inline constexpr std::string_view kCustomersImportCsv = "CUSTOMERS.IMPORT_CSV";
inline constexpr std::string_view kProductsBulkUpdate = "PRODUCTS.BULK_UPDATE";
inline constexpr std::string_view kProductsMetadataUpdate = "PRODUCTS.METADATA_UPDATE";
inline constexpr std::string_view kProductsImportCsv = "PRODUCTS.IMPORT_CSV";
inline constexpr std::string_view kSkusImportCsv = "SKUS.IMPORT_CSV";

inline constexpr size_t kMaxBulkItems = 10'000;

// Queues `type` with `items` (objects) for the project; checks only the list's shape.
Result<std::string> enqueue_bulk(Store& store, const Principal& who, std::string_view type,
                                 const JsonArray& items, const std::string& request_id);
// `{source_ids:[...], metadata:{...}}` for the METADATA_UPDATE types.
Result<std::string> enqueue_metadata_update(Store& store, const Principal& who,
                                            std::string_view type, const JsonObject& body,
                                            const std::string& request_id);

// Saves progress and renews the lease (JobRunner); an error stops the job.
using Checkpoint = std::function<Status(AsyncAction&)>;
inline constexpr int64_t kCheckpointEvery = 100;  // items between checkpoints

// Runs `action` if its type is one of the above (nullopt otherwise), from `action.done_count`
// on, checkpointing every kCheckpointEvery items; `stopping` lets a node stop between items
// (the action resumes from its last checkpoint, which upserts make safe to overlap).
std::optional<Status> run_bulk_action(Store& store, AsyncAction& action,
                                      const std::atomic<bool>& stopping,
                                      const Checkpoint& checkpoint);

}  // namespace openpromo
