#include "api/wire_codecs.h"

#include "api/campaign_codec.h"
#include "api/catalog_codec.h"
#include "api/customer_codec.h"
#include "api/order_codec.h"
#include "api/redemption_codec.h"
#include "api/validation_codec.h"

namespace openpromo::api {

Json WireCodecs::customer(const Customer& c, const CustomerSummary& summary) const {
  return customer_json(c, summary);
}
Json WireCodecs::product(const Product& p) const {
  return product_json(p);
}
Json WireCodecs::sku(const Sku& s) const {
  return sku_json(s);
}
Result<CustomerDraft> WireCodecs::customer_draft(const JsonObject& body) const {
  return read_customer_draft(body);
}
Result<CatalogDraft> WireCodecs::product_draft(const JsonObject& body) const {
  return read_product_draft(body);
}
Result<CatalogDraft> WireCodecs::sku_draft(const JsonObject& body) const {
  return read_sku_draft(body);
}
Result<OrderInput> WireCodecs::order(const JsonObject& body) const {
  return read_order_input(body, kOrderEndpointKeys);
}
Result<engine::Order> WireCodecs::engine_order(const Order& order) const {
  const Json shown(order_json(order));
  return decode_order(&shown);
}
Json WireCodecs::calculated_order(const engine::OrderResult& result, const engine::Order& sent,
                                  const Order& saved) const {
  return redemption_order_json(result, sent, saved);
}
Json WireCodecs::redeemable(const engine::Incentive& incentive, const Voucher* voucher) const {
  return redeemable_snapshot_json(incentive, voucher);
}
Json WireCodecs::redemption_customer(const Customer& customer) const {
  return redemption_customer_json(customer);
}
Json WireCodecs::order_document(const Order& order) const {
  return order_json(order);
}

Json WireCodecs::voucher_document(const VoucherView& voucher) const {
  return voucher_json(voucher);
}
Json WireCodecs::redemption_document(const RedemptionDetails& redemption) const {
  return redemption_json(redemption);
}
Json WireCodecs::publication_document(const PublicationView& publication) const {
  return publication_json(publication);
}
Json WireCodecs::customer_document(const CustomerDetails& customer) const {
  return customer_json(customer);
}
Json WireCodecs::transaction_document(const VoucherTransaction& transaction) const {
  return voucher_transaction_json(transaction);
}

}  // namespace openpromo::api
