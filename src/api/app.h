// App: everything between a parsed HTTP request and its response, with no sockets involved.
//
// For each request it assigns a request id, routes, authenticates (server key, client key with
// origin, or none), checks the content type, runs the handler, renders any Error as Voucherify's
// error JSON, adds CORS headers on /client/v1, records metrics and writes one access-log line.
// A handler that throws becomes a 500 error response; it never takes the server down.
//
// Thread-safety: handle() may be called from many threads at once.
#pragma once

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "api/log_sink.h"
#include "api/metrics.h"
#include "api/query_string.h"
#include "api/router.h"
#include "api/wire_codecs.h"
#include "model/api_key.h"
#include "service/area_service.h"
#include "service/bin_service.h"
#include "service/bulk_jobs.h"
#include "service/campaign_service.h"
#include "service/category_service.h"
#include "service/collection_service.h"
#include "service/customer_service.h"
#include "service/dashboard_service.h"
#include "service/export_service.h"
#include "service/holder_service.h"
#include "service/job_runner.h"
#include "service/key_service.h"
#include "service/location_service.h"
#include "service/metadata_schema_service.h"
#include "service/order_service.h"
#include "service/product_service.h"
#include "service/promotion_service.h"
#include "service/publication_service.h"
#include "service/qualification_service.h"
#include "service/redemption_service.h"
#include "service/segment_service.h"
#include "service/stacking_service.h"
#include "service/system_service.h"
#include "service/template_service.h"
#include "service/validation_rule_service.h"
#include "service/validation_service.h"
#include "service/validation_tally.h"
#include "service/voucher_service.h"
#include "store/store.h"

namespace openpromo::api {

struct Context {
  const HttpRequest& request;
  const PathParams& params;
  const Principal& principal;  // empty for unauthenticated routes
  const std::string& request_id;
  QueryParams query;
};

// A successful handler result: a status and a JSON body (empty for 204).
struct Reply {
  Reply(int status_code = 200, std::string json = {}, std::string type = "application/json")
      : status(status_code), body(std::move(json)), content_type(std::move(type)) {}

  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string body_file;  // instead of `body`: a file streamed from disk (export downloads)
  Headers headers;
};

// kServer routes also take an OAuth token (`Authorization: Bearer`, narrowed to its scopes), and
// those under /management/v1 a management key; kManagement routes take only a management key.
enum class Auth { kNone, kServer, kClient, kManagement };

struct Route {
  Auth auth = Auth::kServer;
  std::function<Result<Reply>(Context&)> handler;
  bool accepts_multipart = false;  // CSV uploads: multipart/form-data besides JSON
  bool accepts_form = false;       // OAuth: application/x-www-form-urlencoded besides JSON
};

// The use cases handlers call: routes decode, call one of these, and encode. Nothing else.
struct Services {
  Services(Store& s, CatalogCacheOptions catalog, std::string exports_dir)
      : system(s),
        keys(s),
        dashboard(s, keys),
        categories(s),
        campaigns(s, [this] { wake(); }),
        vouchers(s, [this] { wake(); }),
        promotions(s),
        customers(s, wire),
        products(s),
        validation_rules(s),
        validations(s, wire, std::move(catalog)),
        validation_tally(s),
        redemptions(s, wire, validations),
        qualifications(s, wire, validations),
        orders(s, wire, [this] { wake(); }),
        segments(s, wire),
        collections(s, wire),
        metadata_schemas(s),
        stacking(s),
        publications(s, wire, vouchers, [this] { wake(); }),
        holders(s, wire),
        bin(s),
        bulk(s, [this] { wake(); }),
        exports(s, wire, {vouchers, customers, orders, redemptions, publications},
                std::move(exports_dir), [this] { wake(); }),
        templates(s, campaigns, promotions),
        locations(s),
        areas(s) {}
  void wake() {
    if (wake_jobs) wake_jobs();
  }

  WireCodecs wire;  // first: the services below keep a reference
  SystemService system;
  KeyService keys;
  DashboardService dashboard;
  CategoryService categories;
  CampaignService campaigns;
  VoucherService vouchers;
  PromotionService promotions;
  CustomerService customers;
  ProductService products;
  ValidationRuleService validation_rules;
  ValidationService validations;
  ValidationTally validation_tally;  // counts of /v1/validations for the summaries
  RedemptionService redemptions;
  QualificationService qualifications;
  OrderService orders;
  SegmentService segments;
  CollectionService collections;
  MetadataSchemaService metadata_schemas;
  StackingService stacking;
  PublicationService publications;
  HolderService holders;
  BinService bin;
  BulkService bulk;
  ExportService exports;
  TemplateService templates;
  LocationService locations;
  AreaService areas;
  std::function<void()> wake_jobs;  // set by whoever runs the JobRunner
};

struct AppOptions {
  bool access_log = true;
  std::FILE* log_stream = stderr;
  CatalogCacheOptions catalog;
  // Where export CSVs are written (shared storage when several nodes serve one database).
  std::string exports_dir = "./data/exports";
  // The dashboard's and the demo store's static files (web/ of the source tree); empty: their
  // pages answer 404 (the sign-in API still works).
  std::string web_root = {};
};

class App {
 public:
  App(Store& store, AppOptions options);

  HttpResponse handle(const HttpRequest& request);

  // The error reply for a request the transport refused before it was complete (oversized body
  // or header, malformed HTTP), logged and counted like any other response.
  HttpResponse reject(const Error& error, std::string_view method, std::string_view remote);

  // One structured error line on the log stream (`what` is escaped), written at once.
  void log_error(std::string_view msg, std::string_view what);
  // Writes every log line so far (access lines are written in the background, see log_sink.h).
  void flush_log() { log_.flush(); }
  // Writes the validation counts gathered so far (written every second in the background).
  Status flush_validation_counts() { return services_.validation_tally.flush(); }
  // Before the store closes: the last validation counts, and no more background writes.
  void stop_background_writes() { services_.validation_tally.stop(); }

  // Lets the App nudge the background job runner when it enqueues work.
  void set_job_waker(std::function<void()> wake) { services_.wake_jobs = std::move(wake); }
  // Gives `jobs` the job types whose work lives with the App's services (exports).
  void serve_jobs(JobRunner& jobs);

  // Set when the server starts draining: /health then answers 503 so load balancers move away.
  void set_draining() { draining_ = true; }

  // The codecs behind service/wire.h (the JobRunner replays request bodies with them).
  const Wire& wire() const { return services_.wire; }
  // Every route (tests walk them all).
  const Router<Route>& router() const { return router_; }
  const Metrics& metrics() const { return metrics_; }

 private:
  HttpResponse fail(const Error& error, const std::string& request_id);
  CatalogCacheOptions catalog_options(CatalogCacheOptions base);
  // /dashboard/... and /demo/...: the session API and the pages (api/dashboard.cpp).
  static bool is_dashboard_path(std::string_view path);
  HttpResponse serve_dashboard(const HttpRequest& request, const std::string& request_id,
                               const std::string*& route_label);
  // The signed-in session of the request's cookie (none without the cookie); a write without
  // the session's CSRF token is refused.
  Result<std::optional<DashboardService::Session>> dashboard_session(const HttpRequest& request);
  // The principal of a /v1 call made by a signed-in page to the route `pattern`, narrowed for
  // viewers.
  Result<Principal> session_principal(const HttpRequest& request, std::string_view pattern);
  HttpResponse dispatch(const HttpRequest& request, const std::string& request_id,
                        const std::string*& route_label, std::string& key_id);
  void log_access(const HttpRequest& request, const std::string& request_id, std::string_view route,
                  int status, int64_t micros, std::string_view key_id);

  AppOptions options_;
  LogSink log_;      // destroyed after everything that may still log
  Metrics metrics_;  // before the services: the catalog reports broken definitions to it
  Services services_;
  Router<Route> router_;
  std::atomic<bool> draining_{false};
};

// `application/json` with optional parameters (`; charset=utf-8`), case-insensitive.
bool is_json_content_type(std::string_view value);

// Route registration, one function per resource file.
void add_system_routes(Router<Route>& router, Services& services, Metrics& metrics,
                       const std::atomic<bool>& draining);
void add_category_routes(Router<Route>& router, Services& services);
void add_campaign_routes(Router<Route>& router, Services& services);
void add_voucher_routes(Router<Route>& router, Services& services);
void add_promotion_routes(Router<Route>& router, Services& services);
void add_import_routes(Router<Route>& router, Services& services);
void add_customer_routes(Router<Route>& router, Services& services);
void add_product_routes(Router<Route>& router, Services& services);
void add_validation_routes(Router<Route>& router, Services& services);
void add_redemption_routes(Router<Route>& router, Services& services);
void add_publication_routes(Router<Route>& router, Services& services);
void add_holder_routes(Router<Route>& router, Services& services);
void add_context_routes(Router<Route>& router, Services& services);
void add_bulk_routes(Router<Route>& router, Services& services);
void add_export_routes(Router<Route>& router, Services& services);
void add_template_routes(Router<Route>& router, Services& services);
void add_auth_routes(Router<Route>& router, Services& services);
void add_location_routes(Router<Route>& router, Services& services);
void add_area_routes(Router<Route>& router, Services& services);

}  // namespace openpromo::api
