// PublicationService (spec 12): assigns codes to customers. One call is one unit of work: the
// customer upserted and locked, the publication row claimed under its source id, the codes given
// (a code to one customer only), and their events and activity, all or nothing.
//
// Rules (what concurrent calls cannot break):
// - a code has one holder: a code is given only where `holder_id IS NULL` in the same statement
//   that sets it, and campaign codes are claimed with SKIP LOCKED on PostgreSQL (SQLite runs
//   writes one at a time);
// - "one code per customer" (the campaign's `join_once`, the request's `?join_once=true`, bulk
//   publication) is decided under the customer's row lock, so a customer's calls run one after
//   another;
// - a `source_id` names one publication: the unique index decides between concurrent calls and
//   the later ones get the first publication back (or `duplicate_source_id` when they asked for
//   something else).
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "model/api_key.h"
#include "model/async_action.h"
#include "model/customer.h"
#include "model/list_query.h"
#include "model/publication.h"
#include "service/voucher_service.h"
#include "store/publication_repository.h"
#include "store/store.h"

namespace openpromo {

class Wire;

struct PublicationInput {
  std::optional<std::string> voucher;   // a specific code (or voucher id)
  std::optional<std::string> campaign;  // codes from a campaign: its name or id
  int64_t count = 1;                    // 1-50, with `campaign`
  CustomerDraft customer;
  std::optional<std::string> source_id;
  std::optional<std::string> channel;  // default "API"
  JsonObject metadata;
  bool join_once = false;    // ?join_once=true: a repeat gives the customer the code they hold
  std::string request_hash;  // what was asked (a source id reused for something else is refused)
};

// Publishing one code of a campaign to every customer of a segment (ours; Voucherify does it with
// a distribution): an async action that walks the segment's customers in id order, in batches
// of kSegmentBatch. Each batch is one unit: its publications, their events and the action's
// progress and cursor (the last customer id done) commit together, so a restarted job resumes
// after the last committed batch. A customer who holds a code of the campaign already is skipped,
// so nobody gets two, whichever way the first one came.
inline constexpr std::string_view kSegmentPublication = "PUBLICATIONS.SEGMENT_PUBLISH";

struct SegmentPublicationInput {
  std::string campaign;  // name or id
  std::string segment;   // id
  std::optional<std::string> channel;
};

// Saves the action's progress in the batch's unit (and renews the job's lease).
using SaveProgress = std::function<Status(UnitOfWork&, const AsyncAction&)>;

struct PublicationView {
  Publication publication;
  Customer customer;
  std::vector<VoucherView> vouchers;
};

class PublicationService {
 public:
  static constexpr int64_t kMaxCount = 50;

  static constexpr int64_t kSegmentBatch = 500;

  PublicationService(Store& store, const Wire& wire, VoucherService& vouchers,
                     std::function<void()> wake_jobs = nullptr)
      : store_(store), wire_(wire), vouchers_(vouchers), wake_jobs_(std::move(wake_jobs)) {}

  Result<PublicationView> publish(const Principal& who, const PublicationInput& input);
  Result<Page<PublicationView>> list(const Principal& who, const PublicationFilter& filter,
                                     const ListQuery& query);

  // Queues a segment publication; the async action's id.
  Result<std::string> enqueue_segment(const Principal& who, const SegmentPublicationInput& input);
  // Runs (or resumes) a queued segment publication; returns early, with its progress saved,
  // when `stopping` is set.
  Status run_segment(const Principal& who, AsyncAction& action, const std::atomic<bool>& stopping,
                     const SaveProgress& save);

  // Bulk publication, in the caller's unit: one code of `campaign` to each of `customer_ids`
  // (in id order) who holds none; their rows are locked first, so single publications for them
  // wait. `code_cursor`: where the caller's last code claim ended (claims search on from there,
  // and from the start only when nothing is left after it). Counts what it did; stops at the
  // first customer it has no code for (`exhausted`), what it gave until then standing.
  struct BatchOutcome {
    int64_t published = 0, held = 0;
    size_t done = 0;  // customers of the list dealt with
    bool exhausted = false;
  };
  Result<BatchOutcome> publish_once_each_in(UnitOfWork& tx, const Principal& who,
                                            const Campaign& campaign,
                                            const std::vector<std::string>& customer_ids,
                                            const std::string& channel, std::string& code_cursor);

 private:
  Store& store_;
  const Wire& wire_;
  VoucherService& vouchers_;
  std::function<void()> wake_jobs_;
};

}  // namespace openpromo
