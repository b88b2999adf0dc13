// MetadataSchemaService: metadata schemas (spec 16.5) and the check every metadata write of a
// resource passes. A schema's `properties` map keys to `{type, array, optional, deleted}` with
// type string|number|boolean|date|datetime|object|geopoint|image_url; `allow_defined_only`
// refuses keys the schema does not define. A write that breaks the schema is refused with 400
// metadata_validation_failed naming the key; required (non-optional) keys must be present when
// a resource is created. Without a schema, any metadata is accepted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/api_key.h"
#include "model/metadata_schema.h"
#include "store/store.h"
#include "store/unit_of_work.h"

namespace openpromo {

// A create or update: present fields only. `properties` is the schema's definitions object.
struct MetadataSchemaInput {
  std::optional<std::string> related_object;
  std::optional<Json> properties;
  std::optional<bool> allow_defined_only;
};

class MetadataSchemaService {
 public:
  static constexpr size_t kMaxDefinitions = 100;

  explicit MetadataSchemaService(Store& store) : store_(store) {}

  Result<MetadataSchema> create(const Principal& who, const MetadataSchemaInput& input);
  Result<std::vector<MetadataSchema>> list(const Principal& who);
  Result<MetadataSchema> get(const Principal& who, std::string_view id_or_object);
  Result<MetadataSchema> update(const Principal& who, std::string_view id,
                                const MetadataSchemaInput& input);
  Status remove(const Principal& who, std::string_view id);

 private:
  Store& store_;
};

// Checks `metadata` (the resource's whole metadata after the write) against the project's
// schema for `related_object`, if any, inside the writing unit. `creating`: required keys must
// be present.
Status check_metadata_schema(UnitOfWork& tx, const Scope& scope, std::string_view related_object,
                             const Json& metadata, bool creating);

}  // namespace openpromo
