// Wire shapes of customers, their activity, custom events and permanent deletions (contract
// tags customers, events), and the readers of their bodies.
#pragma once

#include <boost/json/object.hpp>

#include "core/error.h"
#include "model/customer.h"
#include "model/order.h"
#include "model/segment.h"
#include "service/customer_service.h"

namespace openpromo::api {

// The customer as the API shows it (spec 16.1), with the order counters of `orders`. Segment
// filters read this same document (service/wire.h), so a filter names fields a client sees.
boost::json::object customer_json(const Customer& c, const CustomerSummary& summary);
boost::json::object customer_json(const CustomerDetails& c);
boost::json::object activity_json(const CustomerActivity& a);
boost::json::object event_json(const TrackedEvent& e);
boost::json::object erasure_json(const Erasure& e);

// A create/update body (also a bulk or CSV-import row) -> draft; wrong types are 400.
Result<CustomerDraft> read_customer_draft(const boost::json::object& body);
Result<EventDraft> read_event(const boost::json::object& body);

}  // namespace openpromo::api
