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
#include <vector>

#include "model/api_key.h"
#include "model/async_action.h"
#include "service/wire.h"
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
// Vouchers: metadata only, as in the reference (no upserts: an unknown code fails its item).
inline constexpr std::string_view kVouchersBulkUpdate = "VOUCHERS.BULK_UPDATE";
inline constexpr std::string_view kVouchersMetadataUpdate = "VOUCHERS.METADATA_UPDATE";

inline constexpr size_t kMaxBulkItems = 10'000;

// Queues `type` with `items` (objects) for the project; checks only the list's shape.
// `wake_jobs` runs once the action is committed.
Result<std::string> enqueue_bulk(Store& store, const Principal& who, std::string_view type,
                                 const JsonArray& items, const std::function<void()>& wake_jobs);
// `{source_ids:[...], metadata:{...}}` for the METADATA_UPDATE types; `id_key` "id" when the
// request named products by their ids (`product_ids`) rather than source ids.
Result<std::string> enqueue_metadata_update(Store& store, const Principal& who,
                                            std::string_view type,
                                            const std::vector<std::string>& source_ids,
                                            const Json& metadata,
                                            const std::function<void()>& wake_jobs,
                                            std::string_view id_key = "source_id");

// The enqueue side as a use-case object for the routes.
class BulkService {
 public:
  BulkService(Store& store, std::function<void()> wake_jobs)
      : store_(store), wake_jobs_(std::move(wake_jobs)) {}
  Result<std::string> enqueue(const Principal& who, std::string_view type, const JsonArray& items) {
    return enqueue_bulk(store_, who, type, items, wake_jobs_);
  }
  Result<std::string> enqueue_metadata(const Principal& who, std::string_view type,
                                       const std::vector<std::string>& source_ids,
                                       const Json& metadata,
                                       std::string_view id_key = "source_id") {
    return enqueue_metadata_update(store_, who, type, source_ids, metadata, wake_jobs_, id_key);
  }

 private:
  Store& store_;
  std::function<void()> wake_jobs_;
};

// Saves progress and renews the lease (JobRunner); an error stops the job.
using Checkpoint = std::function<Status(AsyncAction&)>;
inline constexpr int64_t kCheckpointEvery = 100;  // items between checkpoints

// Runs `action` if its type is one of the above (nullopt otherwise), from `action.done_count`
// on, checkpointing every kCheckpointEvery items; `stopping` lets a node stop between items
// (the action resumes from its last checkpoint, which upserts make safe to overlap).
std::optional<Status> run_bulk_action(Store& store, const Wire& wire, const Principal& who,
                                      AsyncAction& action, const std::atomic<bool>& stopping,
                                      const Checkpoint& checkpoint);

}  // namespace openpromo
