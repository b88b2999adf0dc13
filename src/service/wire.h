// Wire: the API's JSON of a few resources, as services need it without knowing the wire format.
//
// The wire format has one home, the codecs in src/api. Two things below the api still need it:
// segment and collection filters, which are defined over the documents the API shows (so a
// filter names fields a client sees), and async jobs that replay request bodies (bulk writes,
// order imports) row by row. They reach the codecs through this interface, which the api layer
// implements (api::WireCodecs) and hands to the services it builds.
#pragma once

#include "core/error.h"
#include "core/json.h"
#include "engine/types.h"
#include "model/customer.h"
#include "model/order.h"
#include "model/product.h"
#include "model/redemption.h"
#include "model/voucher.h"

namespace openpromo {

struct VoucherView;
struct RedemptionDetails;
struct PublicationView;
struct CustomerDetails;
struct VoucherTransaction;

class Wire {
 public:
  virtual ~Wire() = default;

  // The documents filters read (GET /customers/{id}, /products/{id}, /skus/{id} bodies).
  virtual Json customer(const Customer& customer, const CustomerSummary& summary) const = 0;
  virtual Json product(const Product& product) const = 0;
  virtual Json sku(const Sku& sku) const = 0;

  // Request bodies (also bulk and CSV rows) decoded as the endpoints decode them.
  virtual Result<CustomerDraft> customer_draft(const JsonObject& body) const = 0;
  virtual Result<CatalogDraft> product_draft(const JsonObject& body) const = 0;
  virtual Result<CatalogDraft> sku_draft(const JsonObject& body) const = 0;
  virtual Result<OrderInput> order(const JsonObject& body) const = 0;
  // A stored order as validations read an `order` (a redemption that names an existing order
  // and sends no lines is decided on the stored one).
  virtual Result<engine::Order> engine_order(const Order& order) const = 0;

  // What a redemption records of its context, as the API shows it: the order as calculated for
  // it (amounts and lines of `result` on the order as sent, with the saved order's identity),
  // the redeemed voucher or tier, and the customer.
  virtual Json calculated_order(const engine::OrderResult& result, const engine::Order& sent,
                                const Order& saved) const = 0;
  virtual Json redeemable(const engine::Incentive& incentive, const Voucher* voucher) const = 0;
  virtual Json redemption_customer(const Customer& customer) const = 0;
  // A saved order as GET /orders/{id} shows it.
  virtual Json order_document(const Order& order) const = 0;
  // What exports read (spec 13.5): each object as its GET shows it, so an export column and the
  // API field it comes from cannot disagree.
  virtual Json voucher_document(const VoucherView& voucher) const = 0;
  virtual Json redemption_document(const RedemptionDetails& redemption) const = 0;
  virtual Json publication_document(const PublicationView& publication) const = 0;
  virtual Json customer_document(const CustomerDetails& customer) const = 0;
  virtual Json transaction_document(const VoucherTransaction& transaction) const = 0;
};

}  // namespace openpromo
