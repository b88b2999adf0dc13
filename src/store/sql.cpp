#include "store/sql.h"

namespace openpromo::sql {

int64_t Row::integer(size_t i) const {
  return std::get<int64_t>(columns.at(i));
}

const std::string& Row::text(size_t i) const {
  return std::get<std::string>(columns.at(i));
}

namespace {
thread_local int release_caches_depth = 0;
}  // namespace

ReleaseCachesOnThisThread::ReleaseCachesOnThisThread() {
  ++release_caches_depth;
}
ReleaseCachesOnThisThread::~ReleaseCachesOnThisThread() {
  --release_caches_depth;
}
bool ReleaseCachesOnThisThread::active() {
  return release_caches_depth > 0;
}

ConnectionLease::~ConnectionLease() {
  if (!owner_ || !conn_) return;
  if (ReleaseCachesOnThisThread::active()) conn_->release_cache_memory();
  owner_->release(std::move(conn_));
}

}  // namespace openpromo::sql
