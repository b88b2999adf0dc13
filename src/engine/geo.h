// Location shapes (spec 15): circles and GeoJSON polygons, parsed once and checked against a
// point. Geometry comes from real libraries, never hand-written geodesy:
//   - a circle contains a point when the geodesic distance on the WGS84 ellipsoid from its centre
//     (GeographicLib, Karney's algorithm) is at most its radius;
//   - a polygon or multipolygon (holes excluded) contains a point when Boost.Geometry's
//     geographic `covered_by` says so: the boundary counts as inside.
// Coordinates are degrees; GeoJSON positions are [longitude, latitude].
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json.h"

namespace openpromo::engine {

struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
};

// "geo:LAT,LNG" (what geopoint metadata holds); none unless both are numbers within range.
Result<GeoPoint> parse_geo_uri(std::string_view text, std::string_view field);

// A parsed shape. Opaque: only `contains` is asked of it.
class Shape {
 public:
  virtual ~Shape() = default;
  virtual bool contains(const GeoPoint& point) const = 0;
};

// At most this many vertices in one shape (all rings together).
inline constexpr size_t kMaxShapeVertices = 10'000;

// The contract's LocationShape: {type:"circle", format:"distance", distance:{center, radius}} or
// {type:"polygon", format:"geojson", geojson:{type:"Polygon"|"MultiPolygon", coordinates}}.
// Every defect is a 400 `invalid_location` naming the field: latitude or longitude out of range,
// a radius that is not positive or has no unit (m, km, mi, ft), a ring that is not closed or has
// fewer than 4 positions, a self-intersecting polygon, too many vertices.
Result<std::shared_ptr<const Shape>> parse_shape(const Json& shape);

// Geodesic distance in metres between two points on the WGS84 ellipsoid.
double geodesic_distance_m(const GeoPoint& a, const GeoPoint& b);

}  // namespace openpromo::engine
