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
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "rules/filter.h"

namespace openpromo::engine {

struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
};

// "geo:LAT,LNG" (what geopoint metadata holds); none unless both are numbers within range.
Result<GeoPoint> parse_geo_uri(std::string_view text, std::string_view field);

// A longitude/latitude box in degrees, never across the antimeridian (min <= max).
struct GeoBox {
  double min_longitude = 0, min_latitude = 0, max_longitude = 0, max_latitude = 0;
};

// A parsed shape. Opaque: only `contains` and its bounds are asked of it.
class Shape {
 public:
  virtual ~Shape() = default;
  virtual bool contains(const GeoPoint& point) const = 0;
  // Boxes that together cover the shape (two when it crosses the antimeridian): a point
  // outside all of them is outside the shape. Conservative; `contains` decides.
  virtual std::vector<GeoBox> bounds() const = 0;
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

// A project's locations, compiled once (the catalog snapshot holds one), with an R-tree
// (Boost.Geometry's rtree) over their bounds: a point is tested exactly only against the few
// shapes whose box holds it, so a filter naming hundreds of locations costs microseconds.
class LocationIndex : public std::enable_shared_from_this<LocationIndex> {
 public:
  struct Entry {
    std::string id;
    std::shared_ptr<const Shape> shape;  // null when `broken`
    std::string broken;                  // why the stored shape cannot be read
  };
  static std::shared_ptr<const LocationIndex> build(std::vector<Entry> entries);
  ~LocationIndex();
  LocationIndex(const LocationIndex&) = delete;
  LocationIndex& operator=(const LocationIndex&) = delete;

  size_t size() const { return entries_.size(); }
  // The locations `ids` as one set for `$in_location` (rules/filter.h). An id the index does not
  // hold, or whose shape is broken, is a 400 naming `field` and the id: a filter that names it
  // cannot be decided (fail closed).
  Result<std::shared_ptr<const rules::LocationSet>> set_of(const std::vector<std::string>& ids,
                                                           const std::string& field) const;
  rules::LocationResolver resolver() const;
  // Whether any entry flagged in `members` (by position) contains `point`.
  bool any_contains(const GeoPoint& point, const std::vector<bool>& members) const;

 private:
  LocationIndex() = default;
  struct Tree;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t> by_id_;
  std::unique_ptr<Tree> tree_;
};

}  // namespace openpromo::engine
