#include "store/unit_of_work.h"

#include "store/store.h"

namespace openpromo {

UnitOfWork::UnitOfWork(Store& store, sql::ConnectionLease lease, Mode mode)
    : store_(&store), mode_(mode) {
  lease_.emplace(std::move(lease));
}

UnitOfWork::UnitOfWork(UnitOfWork&& other) noexcept
    : store_(other.store_),
      mode_(other.mode_),
      open_(other.open_),
      done_(other.done_),
      changed_catalogs_(std::move(other.changed_catalogs_)),
      hooks_(std::move(other.hooks_)) {
  if (other.lease_) lease_.emplace(std::move(*other.lease_));
  other.lease_.reset();
  other.open_ = false;
  other.done_ = true;
}

UnitOfWork::~UnitOfWork() {
  rollback();
}

std::string_view UnitOfWork::dialect() const {
  return store_->backend();
}

Result<sql::ResultSet> UnitOfWork::query(std::string_view sql, std::span<const sql::Value> params) {
  if (done_ || !lease_) return Error::internal("statement on a finished unit of work");
  store_->observe(sql);
  return (*lease_)->query(sql, params);
}

void UnitOfWork::rollback() noexcept {
  if (open_ && lease_) (*lease_)->rollback();
  open_ = false;
  done_ = true;
}

Status UnitOfWork::commit() {
  if (done_) return Error::internal("unit of work committed twice");
  if (open_) {
    // Other units' catalog snapshots are read outside their transaction: a catalog change must
    // be committed before any later unit can see it.
    if (!changed_catalogs_.empty()) (*lease_)->commit_at_once();
    auto committed = (*lease_)->commit();
    open_ = false;
    if (!committed.ok()) {
      (*lease_)->rollback();
      done_ = true;
      return committed;
    }
  }
  done_ = true;
  // The connection goes back to the pool before the hooks run: they may open units of their own.
  lease_.reset();
  if (!changed_catalogs_.empty()) store_->committed(changed_catalogs_);
  for (auto& hook : hooks_) hook();
  return {};
}

void UnitOfWork::catalog_changed(std::string_view project_id) {
  for (const auto& p : changed_catalogs_) {
    if (p == project_id) return;
  }
  changed_catalogs_.emplace_back(project_id);
}

void UnitOfWork::after_commit(std::function<void()> hook) {
  hooks_.push_back(std::move(hook));
}

}  // namespace openpromo
