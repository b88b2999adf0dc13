// WireCodecs: the api's codecs behind the service layer's Wire interface (service/wire.h), so
// filters over the API's documents and jobs that replay request bodies use the one wire format.
#pragma once

#include "service/wire.h"

namespace openpromo::api {

class WireCodecs final : public Wire {
 public:
  Json customer(const Customer& customer, const CustomerSummary& summary) const override;
  Json product(const Product& product) const override;
  Json sku(const Sku& sku) const override;
  Result<CustomerDraft> customer_draft(const JsonObject& body) const override;
  Result<CatalogDraft> product_draft(const JsonObject& body) const override;
  Result<CatalogDraft> sku_draft(const JsonObject& body) const override;
  Result<OrderInput> order(const JsonObject& body) const override;
  Result<engine::Order> engine_order(const Order& order) const override;
  Json calculated_order(const engine::OrderResult& result, const engine::Order& sent,
                        const Order& saved) const override;
  Json redeemable(const engine::Incentive& incentive, const Voucher* voucher) const override;
  Json redemption_customer(const Customer& customer) const override;
  Json order_document(const Order& order) const override;
  Json voucher_document(const VoucherView& voucher) const override;
  Json redemption_document(const RedemptionDetails& redemption) const override;
  Json publication_document(const PublicationView& publication) const override;
  Json customer_document(const CustomerDetails& customer) const override;
  Json transaction_document(const VoucherTransaction& transaction) const override;
};

}  // namespace openpromo::api
