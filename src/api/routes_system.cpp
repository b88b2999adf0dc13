// GET /health and GET /metrics: unauthenticated, for load balancers and Prometheus on a trusted
// network. Neither reveals data: /health says whether the database answers, /metrics counts
// requests per route pattern.
#include <boost/json/object.hpp>

#include "api/app.h"
#include "api/json_codec.h"

namespace openpromo::api {

void add_system_routes(Router<Route>& router, Services& services, Metrics& metrics,
                       const std::atomic<bool>& draining) {
  router.add("GET", "/health",
             Route{Auth::kNone, [&services, &draining](Context&) -> Result<Reply> {
                     boost::json::object body;
                     auto db = services.system.ping();
                     const bool ok = db.ok() && !draining.load();
                     body["status"] = ok ? "ok" : "unavailable";
                     body["database"] = db.ok() ? "ok" : "unavailable";
                     body["backend"] = services.system.backend();
                     if (draining.load()) body["draining"] = true;
                     return Reply{ok ? 200 : 503, serialize(body)};
                   }});
  router.add("GET", "/metrics",
             Route{Auth::kNone, [&metrics](Context&) -> Result<Reply> {
                     return Reply{200, metrics.render(), "text/plain; version=0.0.4"};
                   }});
}

}  // namespace openpromo::api
