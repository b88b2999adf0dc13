// Publications (spec 12): who got which codes, through which channel, under which source id.
#pragma once

#include <optional>
#include <string_view>

#include "core/error.h"
#include "model/list_query.h"
#include "model/publication.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

struct PublicationFilter {
  std::optional<std::string> campaign_id, customer_id, voucher, result, voucher_type, source_id;
  std::optional<bool> is_referral_code;
};

class PublicationRepository {
 public:
  explicit PublicationRepository(UnitOfWork& tx) : tx_(tx) {}

  // false when a publication with the same source id exists (the unique index decides, whatever
  // runs at once: a concurrent insert of it waits for the other unit and then finds it). The
  // codes are set afterwards with set_vouchers, in the same unit.
  Result<bool> insert_if_new(const Scope& scope, const Publication& p);
  Status set_vouchers(const Scope& scope, const Publication& p,
                      const std::vector<std::string>& voucher_codes,
                      const std::optional<std::string>& voucher_type, bool is_referral_code);
  // A publication without a source id, with its codes, in one statement.
  Status insert_given(const Scope& scope, const Publication& p,
                      const std::vector<std::string>& voucher_codes,
                      const std::optional<std::string>& voucher_type, bool is_referral_code);
  Result<std::optional<Publication>> find_by_source(const Scope& scope, std::string_view source_id);
  Result<Page<Publication>> list(const Scope& scope, const PublicationFilter& filter,
                                 const ListQuery& query);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
