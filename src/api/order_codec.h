// The one order decoder: an `order` object as POST /orders, PUT /orders/{id}, validations and
// redemptions send it, read into a typed OrderInput (types, bounds and money checked here; what
// the amounts must agree with is the use case's). Error keys follow the endpoint: orders answer
// invalid_payload, validations invalid_order for the shape and invalid_amount for money.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "core/error.h"
#include "model/order.h"

namespace openpromo::api {

struct OrderErrorKeys {
  std::string_view shape = "invalid_payload";
  std::string_view money = "invalid_payload";
  std::string_view where = "";  // prefix of field names in details ("order.")
};
inline constexpr OrderErrorKeys kOrderEndpointKeys{};
inline constexpr OrderErrorKeys kValidationOrderKeys{"invalid_order", "invalid_amount", "order."};

// At most this many lines (spec 9.1).
inline constexpr size_t kMaxOrderItems = 500;

Result<OrderInput> read_order_input(const boost::json::object& body, const OrderErrorKeys& keys);
// The same without the lines (`items` stays unset), and one line at a time: for callers that
// turn each line into their own type as it is read (validations), with the same checks.
Result<OrderInput> read_order_header(const boost::json::object& body, const OrderErrorKeys& keys);
Result<OrderLineInput> read_order_line(const boost::json::value& line, size_t index,
                                       const OrderErrorKeys& keys);
// The `items` array, checked for shape and size (nullptr: absent or null).
Result<const boost::json::array*> order_lines(const boost::json::object& body,
                                              const OrderErrorKeys& keys);

// The order as the API shows it.
boost::json::object order_json(const Order& order);

}  // namespace openpromo::api
