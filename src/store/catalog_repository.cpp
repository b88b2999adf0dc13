#include "store/catalog_repository.h"

#include "store/scope_sql.h"

namespace openpromo {

Result<int64_t> CatalogRepository::version(const Scope& scope) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs,
            tx_.query("SELECT version FROM catalog_versions WHERE " + s.where(), s.params()));
  return rs.rows.empty() ? int64_t{0} : rs.rows[0].integer(0);
}

}  // namespace openpromo
