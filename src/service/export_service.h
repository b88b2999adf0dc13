// ExportService (spec 13.5): CSV exports of vouchers, redemptions, publications, customers,
// orders and voucher transactions.
//
// POST /exports checks the request at once (fields against the object's list, order and filters
// by running the query for one row), stores the export SCHEDULED and queues a job. The job walks
// the objects page by page (kPageSize, keyset cursor, no COUNT per page) and streams rows into
// `<directory>/<project>/<export>.csv.part`, renamed to `.csv` once complete, so memory stays
// bounded whatever the size and a half-written file is never served. A job that stops midway
// starts its file over when it runs again (an export writes nothing but its file).
//
// Each column is read from the object's API document (Wire), so an export and the GET of the same
// object cannot disagree. Amounts are minor units, as in the API; dates are ISO 8601 UTC.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "core/error.h"
#include "core/json.h"
#include "model/api_key.h"
#include "model/async_action.h"
#include "model/export.h"
#include "model/list_query.h"
#include "store/store.h"

namespace openpromo {

class Wire;
class VoucherService;
class CustomerService;
class OrderService;
class RedemptionService;
class PublicationService;

inline constexpr std::string_view kExportJob = "EXPORTS.GENERATE";

struct ExportRequest {
  std::string exported_object;
  JsonObject parameters;  // {fields?, filters?, order?, campaign_id?}
  std::string base_url;   // "http://host:port": the download URL starts with it
};

// Where the finished CSV of an export is, for the download.
struct ExportFile {
  std::string path;
  std::string file_name;  // for Content-Disposition
};

class ExportService {
 public:
  static constexpr int kPageSize = 1000;

  struct Sources {
    VoucherService& vouchers;
    CustomerService& customers;
    OrderService& orders;
    RedemptionService& redemptions;
    PublicationService& publications;
  };

  ExportService(Store& store, const Wire& wire, Sources sources, std::string directory,
                std::function<void()> wake_jobs)
      : store_(store),
        wire_(wire),
        sources_(sources),
        directory_(std::move(directory)),
        wake_jobs_(std::move(wake_jobs)) {}

  Result<Export> create(const Principal& who, ExportRequest request);
  Result<Export> get(const Principal& who, std::string_view id);
  Result<Page<Export>> list(const Principal& who, const ListQuery& query);
  // The export and its file; not_found when there is none.
  Status remove(const Principal& who, std::string_view id);
  // The finished file, if `token` is the export's: 404 otherwise (no hint whether the export
  // exists), 400 `export_not_ready` while it is being written.
  Result<ExportFile> download(const Principal& who, std::string_view id, std::string_view token);

  // Runs the job of kExportJob. `checkpoint` saves the action's progress and renews its lease.
  Status run(const Principal& who, AsyncAction& action, const std::atomic<bool>& stopping,
             const std::function<Status(AsyncAction&)>& checkpoint);

  // The URL result.url shows for a finished export.
  static std::string url_of(const Export& e);

 private:
  std::string path_of(const Export& e) const;

  Store& store_;
  const Wire& wire_;
  Sources sources_;
  std::string directory_;
  std::function<void()> wake_jobs_;
};

}  // namespace openpromo
