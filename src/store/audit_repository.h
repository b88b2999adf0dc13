// The audit log of campaign maintenance (ours): appended in the acting unit, listed per campaign.
#pragma once

#include <string_view>

#include "core/error.h"
#include "model/audit_entry.h"
#include "model/list_query.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class AuditRepository {
 public:
  explicit AuditRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const AuditEntry& entry);
  // Filters: id, created_at, action, resource_type, resource_id.
  Result<Page<AuditEntry>> list_of_campaign(const Scope& scope, std::string_view campaign_id,
                                            ListQuery query);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
