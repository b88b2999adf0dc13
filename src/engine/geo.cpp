#include "engine/geo.h"

#include <GeographicLib/Geodesic.hpp>
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <charconv>
#include <cmath>
#include <vector>

namespace openpromo::engine {
namespace {

namespace bg = boost::geometry;
// Longitude first, as in GeoJSON; degrees on the WGS84 ellipsoid.
using Point = bg::model::point<double, 2, bg::cs::geographic<bg::degree>>;
// Rings closed, either orientation accepted (GeoJSON's right-hand rule is a recommendation):
// each ring is corrected to the counter-clockwise outer / clockwise inner order Boost expects.
using Polygon = bg::model::polygon<Point, /*ClockWise=*/false, /*Closed=*/true>;
using MultiPolygon = bg::model::multi_polygon<Polygon>;

Error invalid_location(const std::string& field, const std::string& why) {
  return Error{400, "invalid_location", "Invalid location", field + ": " + why, {}, {}};
}

bool number_of(std::string_view text, double& out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(out);
}

Status check_range(double latitude, double longitude, const std::string& field) {
  if (!(latitude >= -90 && latitude <= 90)) {
    return invalid_location(field, "latitude must be within [-90, 90]");
  }
  if (!(longitude >= -180 && longitude <= 180)) {
    return invalid_location(field, "longitude must be within [-180, 180]");
  }
  return {};
}

// A box whose longitudes may run past +-180 (as Boost's geographic envelope gives them), cut
// at the antimeridian into boxes within [-180, 180].
std::vector<GeoBox> split_at_antimeridian(double min_lng, double min_lat, double max_lng,
                                          double max_lat) {
  min_lat = std::max(min_lat, -90.0);
  max_lat = std::min(max_lat, 90.0);
  if (max_lng - min_lng >= 360) return {GeoBox{-180, min_lat, 180, max_lat}};
  if (max_lng > 180) {
    return {GeoBox{min_lng, min_lat, 180, max_lat}, GeoBox{-180, min_lat, max_lng - 360, max_lat}};
  }
  if (min_lng < -180) {
    return {GeoBox{-180, min_lat, max_lng, max_lat}, GeoBox{min_lng + 360, min_lat, 180, max_lat}};
  }
  return {GeoBox{min_lng, min_lat, max_lng, max_lat}};
}

class Circle final : public Shape {
 public:
  Circle(GeoPoint center, double radius_m) : center_(center), radius_m_(radius_m) {}
  bool contains(const GeoPoint& p) const override {
    return geodesic_distance_m(center_, p) <= radius_m_;
  }
  std::vector<GeoBox> bounds() const override {
    // North and south ends exactly (geodesics along the meridian); a circle holding a pole
    // spans every longitude. The east-west half-width is the sphere's, taken on the smallest
    // radius of curvature (the meridian's at the equator, so the widest angle) and widened by
    // 1%: a cover, not the shape.
    const auto& wgs84 = GeographicLib::Geodesic::WGS84();
    const double margin = 1e-9;
    const bool north_pole = geodesic_distance_m(center_, GeoPoint{90, 0}) <= radius_m_;
    const bool south_pole = geodesic_distance_m(center_, GeoPoint{-90, 0}) <= radius_m_;
    if (north_pole && south_pole) return {GeoBox{-180, -90, 180, 90}};
    if (north_pole || south_pole) {
      double end = 0, lng = 0;  // the far end along the meridian away from the pole
      wgs84.Direct(center_.latitude, center_.longitude, north_pole ? 180 : 0, radius_m_, end, lng);
      return {north_pole ? GeoBox{-180, end - margin, 180, 90}
                         : GeoBox{-180, -90, 180, end + margin}};
    }
    double north = 0, south = 0, lng = 0;
    wgs84.Direct(center_.latitude, center_.longitude, 0, radius_m_, north, lng);
    wgs84.Direct(center_.latitude, center_.longitude, 180, radius_m_, south, lng);
    const double f = wgs84.Flattening();
    const double angle = radius_m_ / (wgs84.EquatorialRadius() * (1 - f * (2 - f)));
    const double widest = std::max(std::abs(north), std::abs(south)) * M_PI / 180;
    const double ratio = std::sin(std::min(angle, M_PI / 2)) / std::cos(widest);
    if (!(ratio < 1)) return {GeoBox{-180, south - margin, 180, north + margin}};
    const double half = std::asin(ratio) * 180 / M_PI * 1.01 + margin;
    return split_at_antimeridian(center_.longitude - half, south - margin, center_.longitude + half,
                                 north + margin);
  }

 private:
  GeoPoint center_;
  double radius_m_;
};

class Area final : public Shape {
 public:
  explicit Area(MultiPolygon area) : area_(std::move(area)) {}
  bool contains(const GeoPoint& p) const override {
    return bg::covered_by(Point(p.longitude, p.latitude), area_);
  }
  std::vector<GeoBox> bounds() const override {
    // Boost's geographic envelope follows the geodesic edges (which bulge poleward) and gives
    // longitudes past 180 for an area across the antimeridian.
    std::vector<GeoBox> out;
    for (const Polygon& p : area_) {
      bg::model::box<Point> box;
      bg::envelope(p, box);
      const double margin = 1e-9;
      for (const GeoBox& b : split_at_antimeridian(bg::get<bg::min_corner, 0>(box) - margin,
                                                   bg::get<bg::min_corner, 1>(box) - margin,
                                                   bg::get<bg::max_corner, 0>(box) + margin,
                                                   bg::get<bg::max_corner, 1>(box) + margin)) {
        out.push_back(b);
      }
    }
    return out;
  }

 private:
  MultiPolygon area_;
};

// "1.54 km" -> 1540 metres.
Result<double> radius_in_metres(const Json& value) {
  const std::string field = "shape.distance.radius";
  if (!value.is_string()) return invalid_location(field, "a string with a unit, e.g. \"1.5 km\"");
  std::string_view text = value.as_string();
  size_t split = text.size();
  while (split > 0 && std::isalpha(static_cast<unsigned char>(text[split - 1]))) --split;
  const std::string_view unit = text.substr(split);
  double number = 0;
  if (!number_of(text.substr(0, split), number)) {
    return invalid_location(field, "must be a number followed by a unit (m, km, mi, ft)");
  }
  double factor = 0;
  if (unit == "m") factor = 1;
  if (unit == "km") factor = 1000;
  if (unit == "mi") factor = 1609.344;
  if (unit == "ft") factor = 0.3048;
  if (factor == 0) return invalid_location(field, "the unit must be m, km, mi or ft");
  if (!(number > 0)) return invalid_location(field, "must be greater than zero");
  return number * factor;
}

Result<Polygon> polygon_of(const Json& rings, const std::string& field, size_t& vertices) {
  if (!rings.is_array() || rings.as_array().empty()) {
    return invalid_location(field, "a polygon is an array of rings, the outer one first");
  }
  Polygon polygon;
  const JsonArray& list = rings.as_array();
  for (size_t r = 0; r < list.size(); ++r) {
    const std::string ring_field = field + "[" + std::to_string(r) + "]";
    if (!list[r].is_array()) return invalid_location(ring_field, "a ring is an array of positions");
    const JsonArray& positions = list[r].as_array();
    if (positions.size() < 4) {
      return invalid_location(ring_field, "a ring needs at least 4 positions (closed)");
    }
    vertices += positions.size();
    if (vertices > kMaxShapeVertices) {
      return invalid_location(
          field, "at most " + std::to_string(kMaxShapeVertices) + " vertices in one location");
    }
    auto& ring =
        r == 0 ? polygon.outer() : (polygon.inners().emplace_back(), polygon.inners().back());
    for (size_t i = 0; i < positions.size(); ++i) {
      const std::string pos_field = ring_field + "[" + std::to_string(i) + "]";
      const Json& pos = positions[i];
      if (!pos.is_array() || pos.as_array().size() < 2 || !json_is_number(pos.as_array()[0]) ||
          !json_is_number(pos.as_array()[1])) {
        return invalid_location(pos_field, "a position is [longitude, latitude]");
      }
      const double lng = json_number(pos.as_array()[0]);
      const double lat = json_number(pos.as_array()[1]);
      OP_TRY(check_range(lat, lng, pos_field));
      ring.emplace_back(lng, lat);
    }
    if (!bg::equals(ring.front(), ring.back())) {
      return invalid_location(ring_field,
                              "a ring must be closed: its last position repeats the first");
    }
  }
  bg::correct(polygon);
  std::string why;
  if (!bg::is_valid(polygon, why))
    return invalid_location(field, "not a valid polygon (" + why + ")");
  return polygon;
}

}  // namespace

double geodesic_distance_m(const GeoPoint& a, const GeoPoint& b) {
  double s12 = 0;
  GeographicLib::Geodesic::WGS84().Inverse(a.latitude, a.longitude, b.latitude, b.longitude, s12);
  return s12;
}

Result<GeoPoint> parse_geo_uri(std::string_view text, std::string_view field) {
  const std::string name(field);
  if (!text.starts_with("geo:"))
    return invalid_location(name, "must be \"geo:LATITUDE,LONGITUDE\"");
  text.remove_prefix(4);
  const size_t comma = text.find(',');
  GeoPoint p;
  if (comma == std::string_view::npos || !number_of(text.substr(0, comma), p.latitude) ||
      !number_of(text.substr(comma + 1), p.longitude)) {
    return invalid_location(name, "must be \"geo:LATITUDE,LONGITUDE\" with two numbers");
  }
  OP_TRY(check_range(p.latitude, p.longitude, name));
  return p;
}

Result<std::shared_ptr<const Shape>> parse_shape(const Json& shape) {
  if (!shape.is_object()) return invalid_location("shape", "must be an object");
  const JsonObject& o = shape.as_object();
  const Json* type = o.if_contains("type");
  if (!type || !type->is_string()) return invalid_location("shape.type", "circle or polygon");
  if (type->as_string() == "circle") {
    const Json* distance = o.if_contains("distance");
    if (!distance || !distance->is_object()) {
      return invalid_location("shape.distance", "a circle has {center, radius}");
    }
    const Json* center = distance->as_object().if_contains("center");
    const Json* radius = distance->as_object().if_contains("radius");
    if (!center || !center->is_string()) {
      return invalid_location("shape.distance.center", "must be \"geo:LATITUDE,LONGITUDE\"");
    }
    if (!radius) return invalid_location("shape.distance.radius", "is required");
    OP_ASSIGN(GeoPoint c, parse_geo_uri(center->as_string(), "shape.distance.center"));
    OP_ASSIGN(double metres, radius_in_metres(*radius));
    return std::shared_ptr<const Shape>(std::make_shared<Circle>(c, metres));
  }
  if (type->as_string() != "polygon") return invalid_location("shape.type", "circle or polygon");
  const Json* geojson = o.if_contains("geojson");
  if (!geojson || !geojson->is_object()) {
    return invalid_location("shape.geojson", "a polygon has a GeoJSON Polygon or MultiPolygon");
  }
  const Json* kind = geojson->as_object().if_contains("type");
  const Json* coordinates = geojson->as_object().if_contains("coordinates");
  if (!coordinates) return invalid_location("shape.geojson.coordinates", "is required");
  size_t vertices = 0;
  MultiPolygon area;
  if (kind && kind->is_string() && kind->as_string() == "Polygon") {
    OP_ASSIGN(Polygon p, polygon_of(*coordinates, "shape.geojson.coordinates", vertices));
    area.push_back(std::move(p));
  } else if (kind && kind->is_string() && kind->as_string() == "MultiPolygon") {
    if (!coordinates->is_array() || coordinates->as_array().empty()) {
      return invalid_location("shape.geojson.coordinates", "an array of polygons");
    }
    const JsonArray& polygons = coordinates->as_array();
    for (size_t i = 0; i < polygons.size(); ++i) {
      OP_ASSIGN(Polygon p,
                polygon_of(polygons[i], "shape.geojson.coordinates[" + std::to_string(i) + "]",
                           vertices));
      area.push_back(std::move(p));
    }
  } else {
    return invalid_location("shape.geojson.type", "Polygon or MultiPolygon");
  }
  return std::shared_ptr<const Shape>(std::make_shared<Area>(std::move(area)));
}

// ---- LocationIndex ------------------------------------------------------------------------------

namespace {

namespace bgi = boost::geometry::index;
using FlatPoint = bg::model::point<double, 2, bg::cs::cartesian>;  // (longitude, latitude)
using FlatBox = bg::model::box<FlatPoint>;
using TreeValue = std::pair<FlatBox, size_t>;  // a box and the entry's position

class IndexedSet final : public rules::LocationSet {
 public:
  IndexedSet(std::shared_ptr<const LocationIndex> index, std::vector<bool> members)
      : index_(std::move(index)), members_(std::move(members)) {}
  bool contains(std::string_view geopoint) const override {
    auto point = parse_geo_uri(geopoint, "geopoint");
    return point.ok() && index_->any_contains(*point, members_);
  }

 private:
  std::shared_ptr<const LocationIndex> index_;
  std::vector<bool> members_;
};

}  // namespace

struct LocationIndex::Tree {
  bgi::rtree<TreeValue, bgi::rstar<16>> boxes;
};

LocationIndex::~LocationIndex() = default;

std::shared_ptr<const LocationIndex> LocationIndex::build(std::vector<Entry> entries) {
  std::shared_ptr<LocationIndex> index(new LocationIndex());
  std::vector<TreeValue> boxes;
  for (size_t i = 0; i < entries.size(); ++i) {
    index->by_id_.emplace(entries[i].id, i);
    if (!entries[i].shape) continue;
    for (const GeoBox& b : entries[i].shape->bounds()) {
      boxes.emplace_back(FlatBox(FlatPoint(b.min_longitude, b.min_latitude),
                                 FlatPoint(b.max_longitude, b.max_latitude)),
                         i);
    }
  }
  index->entries_ = std::move(entries);
  // Packed construction (the range constructor): balanced, built once per snapshot.
  index->tree_ = std::make_unique<Tree>(Tree{bgi::rtree<TreeValue, bgi::rstar<16>>(boxes)});
  return index;
}

Result<std::shared_ptr<const rules::LocationSet>> LocationIndex::set_of(
    const std::vector<std::string>& ids, const std::string& field) const {
  std::vector<bool> members(entries_.size(), false);
  for (const std::string& id : ids) {
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) return Error::invalid_payload(field + ": unknown location " + id);
    const Entry& e = entries_[it->second];
    if (!e.shape) {
      return Error::invalid_payload(field + ": location " + id + " cannot be read: " + e.broken);
    }
    members[it->second] = true;
  }
  return std::shared_ptr<const rules::LocationSet>(
      std::make_shared<IndexedSet>(shared_from_this(), std::move(members)));
}

rules::LocationResolver LocationIndex::resolver() const {
  return [self = shared_from_this()](const std::vector<std::string>& ids,
                                     const std::string& field) { return self->set_of(ids, field); };
}

bool LocationIndex::any_contains(const GeoPoint& point, const std::vector<bool>& members) const {
  const FlatPoint p(point.longitude, point.latitude);
  for (auto it = tree_->boxes.qbegin(bgi::covers(p)); it != tree_->boxes.qend(); ++it) {
    const size_t i = it->second;
    if (i < members.size() && members[i] && entries_[i].shape->contains(point)) return true;
  }
  return false;
}

}  // namespace openpromo::engine
