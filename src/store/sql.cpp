#include "store/sql.h"

namespace openpromo::sql {

int64_t Row::integer(size_t i) const {
  return std::get<int64_t>(columns.at(i));
}

const std::string& Row::text(size_t i) const {
  return std::get<std::string>(columns.at(i));
}

ConnectionLease::~ConnectionLease() {
  if (owner_ && conn_) owner_->release(std::move(conn_));
}

}  // namespace openpromo::sql
