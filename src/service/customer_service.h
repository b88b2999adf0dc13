// CustomerService: customers (spec 16.1). POST /customers is an upsert: by `id` when given, by
// `source_id` otherwise; the same request sent many times at once yields one customer.
#pragma once

#include "model/api_key.h"
#include "model/customer.h"
#include "model/list_query.h"
#include "store/store.h"

namespace openpromo {

class CustomerService {
 public:
  explicit CustomerService(Store& store) : store_(store) {}

  Result<Customer> upsert(const Principal& who, const CustomerDraft& draft);
  Result<Customer> get(const Principal& who, std::string_view id_or_source_id);
  Result<Page<Customer>> list(const Principal& who, const ListQuery& query);
  Result<Customer> update(const Principal& who, std::string_view id_or_source_id,
                          const CustomerDraft& draft);
  Status remove(const Principal& who, std::string_view id_or_source_id);

 private:
  Store& store_;
};

}  // namespace openpromo
