// Metadata schemas (spec 16.5), one per project and resource type (`related_object`).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/metadata_schema.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class MetadataSchemaRepository {
 public:
  explicit MetadataSchemaRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const MetadataSchema& schema);  // 409 if the type has one
  Result<std::vector<MetadataSchema>> all(const Scope& scope);
  Result<std::optional<MetadataSchema>> find(const Scope& scope, std::string_view id_or_object);
  // Compare-and-set: writes only if the row's updated_at is still `read_updated_at` (what the
  // caller read); false when another update came first (re-read and retry).
  Result<bool> update(const Scope& scope, const MetadataSchema& schema,
                      std::optional<Instant> read_updated_at);
  Status remove(const Scope& scope, std::string_view id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
