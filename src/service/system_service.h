// SystemService: what GET /health reports about the database.
#pragma once

#include <string_view>

#include "store/store.h"

namespace openpromo {

class SystemService {
 public:
  explicit SystemService(Store& store) : store_(store) {}
  Status ping() { return store_.ping(); }
  std::string_view backend() const { return store_.backend(); }

 private:
  Store& store_;
};

}  // namespace openpromo
