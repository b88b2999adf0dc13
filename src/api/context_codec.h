// Wire shapes of segments, product collections and metadata schemas (contract tags segments,
// product-collections, metadata-schemas) and the readers of their bodies.
#pragma once

#include <boost/json/object.hpp>

#include "core/error.h"
#include "model/metadata_schema.h"
#include "model/segment.h"
#include "service/collection_service.h"
#include "service/metadata_schema_service.h"
#include "service/segment_service.h"

namespace openpromo::api {

boost::json::object segment_json(const Segment& s);
boost::json::object collection_json(const ProductCollection& c);
boost::json::object collection_member_json(const CollectionMember& m);
boost::json::object metadata_schema_json(const MetadataSchema& m);

Result<SegmentInput> read_segment_input(const boost::json::object& body);
Result<CollectionInput> read_collection_input(const boost::json::object& body);
Result<MetadataSchemaInput> read_metadata_schema_input(const boost::json::object& body);

}  // namespace openpromo::api
