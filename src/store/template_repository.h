// Campaign templates: one row each, the configuration as JSON.
#pragma once

#include <optional>
#include <string_view>

#include "core/error.h"
#include "model/campaign_template.h"
#include "model/list_query.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class TemplateRepository {
 public:
  explicit TemplateRepository(UnitOfWork& tx) : tx_(tx) {}

  // 409 duplicate_found when the name is taken.
  Status insert(const Scope& scope, const CampaignTemplate& t);
  Result<std::optional<CampaignTemplate>> find(const Scope& scope, std::string_view id);
  // Filters and orders: id, name, campaign_type, created_at.
  Result<Page<CampaignTemplate>> list(const Scope& scope, const ListQuery& query);
  // Writes name, description and updated_at (409 when the new name is taken).
  Status update(const Scope& scope, const CampaignTemplate& t);
  Result<bool> remove(const Scope& scope, std::string_view id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
