// Location shapes (spec 15, issue 17): distances against published geodesic figures, and the
// boundary cases of circles and polygons.
#include "engine/geo.h"

#include <gtest/gtest.h>

#include <GeographicLib/Geodesic.hpp>
#include <boost/json/parse.hpp>
#include <cmath>
#include <random>

#include "rules/filter.h"

namespace openpromo::engine {
namespace {

std::shared_ptr<const Shape> shape(const std::string& json) {
  auto parsed = parse_shape(boost::json::parse(json));
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().details);
  return parsed.ok() ? *parsed : nullptr;
}

std::string refused(const std::string& json) {
  auto parsed = parse_shape(boost::json::parse(json));
  EXPECT_FALSE(parsed.ok()) << json;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.error().code, 400);
  EXPECT_EQ(parsed.error().key, "invalid_location");
  return parsed.error().details;
}

double dms(int d, int m, double s) {
  return (d < 0 ? -1 : 1) * (std::abs(d) + m / 60.0 + s / 3600.0);
}

// Vincenty (1975), "Direct and inverse solutions of geodesics on the ellipsoid", test line from
// Flinders Peak to Buninyong: 54,972.271 m (Geoscience Australia's published figure, GRS80,
// which differs from WGS84 by far less than a millimetre at this length).
TEST(GeoTest, DistancesMatchPublishedGeodesicFigures) {
  const GeoPoint flinders{dms(-37, 57, 3.72030), dms(144, 25, 29.52440)};
  const GeoPoint buninyong{dms(-37, 39, 10.15610), dms(143, 55, 35.38390)};
  EXPECT_NEAR(geodesic_distance_m(flinders, buninyong), 54972.271, 0.001);
  // One degree of latitude at the equator on WGS84: 110,574.4 m (published meridian arc tables).
  EXPECT_NEAR(geodesic_distance_m({0, 0}, {1, 0}), 110574.4, 0.1);
  // A quarter meridian, equator to pole: 10,001,965.729 m.
  EXPECT_NEAR(geodesic_distance_m({0, 0}, {90, 0}), 10001965.729, 0.001);
}

TEST(GeoTest, ACircleHoldsPointsOneMetreInsideAndNotOneMetreOutside) {
  const auto circle = shape(
      R"({"type":"circle","format":"distance","distance":{"center":"geo:52.2297,21.0122","radius":"1 km"}})");
  ASSERT_TRUE(circle);
  // Due north of the centre: 999 m and 1001 m away, by the geodesic itself.
  const double per_metre = 1.0 / 111250.0;  // degrees of latitude per metre near 52 N (approx.)
  GeoPoint inside{52.2297 + 999 * per_metre, 21.0122};
  GeoPoint outside{52.2297 + 1001 * per_metre, 21.0122};
  const double d_in = geodesic_distance_m({52.2297, 21.0122}, inside);
  const double d_out = geodesic_distance_m({52.2297, 21.0122}, outside);
  ASSERT_LT(d_in, 1000);
  ASSERT_GT(d_out, 1000);
  EXPECT_TRUE(circle->contains(inside)) << d_in;
  EXPECT_FALSE(circle->contains(outside)) << d_out;
  // Near a pole a circle reaches across every meridian.
  const auto polar =
      shape(R"({"type":"circle","distance":{"center":"geo:89.9995,0","radius":"200 m"}})");
  ASSERT_TRUE(polar);
  EXPECT_TRUE(polar->contains({89.9999, 180}));
  EXPECT_FALSE(polar->contains({89.99, 180}));
  EXPECT_TRUE(shape(R"({"type":"circle","distance":{"center":"geo:0,0","radius":"1 mi"}})")
                  ->contains({0, 0.0144}));
}

TEST(GeoTest, PolygonsWithHolesEdgesAndTheAntimeridian) {
  // A 2x2 degree square with a 1x1 hole in the middle.
  const auto square = shape(R"({"type":"polygon","format":"geojson","geojson":{"type":"Polygon",
      "coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]],[[0.5,0.5],[1.5,0.5],[1.5,1.5],[0.5,1.5],[0.5,0.5]]]}})");
  ASSERT_TRUE(square);
  EXPECT_TRUE(square->contains({0.25, 0.25}));
  EXPECT_FALSE(square->contains({1, 1})) << "in the hole";
  EXPECT_TRUE(square->contains({0, 1})) << "on the western edge: the boundary is inside";
  EXPECT_FALSE(square->contains({3, 3}));
  // Across the antimeridian: from 179 E to 179 W.
  const auto pacific = shape(R"({"type":"polygon","geojson":{"type":"Polygon",
      "coordinates":[[[179,-1],[-179,-1],[-179,1],[179,1],[179,-1]]]}})");
  ASSERT_TRUE(pacific);
  EXPECT_TRUE(pacific->contains({0, 180}));
  EXPECT_TRUE(pacific->contains({0, -179.5}));
  EXPECT_FALSE(pacific->contains({0, 0}));
  EXPECT_FALSE(pacific->contains({0, 178}));
  const auto two = shape(R"({"type":"polygon","geojson":{"type":"MultiPolygon","coordinates":[
      [[[0,0],[1,0],[1,1],[0,1],[0,0]]], [[[10,10],[11,10],[11,11],[10,11],[10,10]]]]}})");
  ASSERT_TRUE(two);
  EXPECT_TRUE(two->contains({0.5, 0.5}));
  EXPECT_TRUE(two->contains({10.5, 10.5}));
  EXPECT_FALSE(two->contains({5, 5}));
}

TEST(GeoTest, BadShapesAreRefusedNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"type":"circle","distance":{"center":"geo:91,0","radius":"1 km"}})", "latitude"},
      {R"({"type":"circle","distance":{"center":"geo:0,181","radius":"1 km"}})", "longitude"},
      {R"({"type":"circle","distance":{"center":"geo:0,0","radius":"0 km"}})", "radius"},
      {R"({"type":"circle","distance":{"center":"geo:0,0","radius":"-3 m"}})", "radius"},
      {R"({"type":"circle","distance":{"center":"geo:0,0","radius":"12"}})", "unit"},
      {R"({"type":"circle","distance":{"center":"geo:abc,1","radius":"1 m"}})", "center"},
      {R"({"type":"polygon","geojson":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}})",
       "closed"},
      {R"({"type":"polygon","geojson":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}})",
       "at least 4"},
      // A bow tie: its edges cross.
      {R"({"type":"polygon","geojson":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}})",
       "valid polygon"},
      {R"({"type":"square"})", "shape.type"},
  };
  for (const auto& [json, word] : cases) {
    EXPECT_NE(refused(json).find(word), std::string::npos) << json;
  }
  std::string many = R"({"type":"polygon","geojson":{"type":"Polygon","coordinates":[[)";
  for (int i = 0; i < 100'000; ++i) many += "[" + std::to_string(i % 90) + ",0],";
  many += "[0,0]]]}}";
  EXPECT_NE(refused(many).find("vertices"), std::string::npos);
}

// ---- LocationIndex and $in_location ------------------------------------------------------------

namespace index_tests {

bool in_bounds(const std::vector<GeoBox>& boxes, const GeoPoint& p) {
  for (const GeoBox& b : boxes) {
    if (p.longitude >= b.min_longitude && p.longitude <= b.max_longitude &&
        p.latitude >= b.min_latitude && p.latitude <= b.max_latitude) {
      return true;
    }
  }
  return false;
}

std::string circle_json(double lat, double lng, const std::string& radius) {
  return R"({"type":"circle","distance":{"center":"geo:)" + std::to_string(lat) + "," +
         std::to_string(lng) + R"(","radius":")" + radius + R"("}})";
}

}  // namespace index_tests

// The R-tree only filters: every point of a shape must lie in one of its boxes. Points on the
// circle (the geodesic Direct problem at every azimuth) anywhere on the globe, near the poles and
// across the antimeridian.
TEST(GeoTest, BoundsCoverEveryCircle) {
  using index_tests::in_bounds;
  const auto& wgs84 = GeographicLib::Geodesic::WGS84();
  for (const double lat : {0.0, 45.0, -63.5, 80.0, 89.9, -89.95}) {
    for (const double lng : {0.0, 179.99, -179.995}) {
      for (const auto& [radius, metres] : std::vector<std::pair<std::string, double>>{
               {"1 m", 1}, {"1 km", 1000}, {"500 km", 5e5}, {"3000 km", 3e6}}) {
        const auto c = shape(index_tests::circle_json(lat, lng, radius));
        ASSERT_TRUE(c);
        const auto boxes = c->bounds();
        for (int az = 0; az < 360; ++az) {
          GeoPoint p;
          wgs84.Direct(lat, lng, az, metres * (1 - 1e-6), p.latitude, p.longitude);
          ASSERT_TRUE(c->contains(p)) << lat << "," << lng << " " << radius << " az " << az;
          EXPECT_TRUE(in_bounds(boxes, p))
              << "centre " << lat << "," << lng << " " << radius << " azimuth " << az << ": "
              << p.latitude << "," << p.longitude;
        }
      }
    }
  }
}

// A geodesic edge between two points at 60 N bulges north of them; the antimeridian splits a box.
TEST(GeoTest, BoundsFollowGeodesicEdgesAndSplitAtTheAntimeridian) {
  const auto band = shape(R"({"type":"polygon","geojson":{"type":"Polygon",
      "coordinates":[[[-10,60],[10,60],[10,59],[-10,59],[-10,60]]]}})");
  ASSERT_TRUE(band);
  EXPECT_TRUE(band->contains({60.2, 0})) << "north of the vertices, south of the geodesic edge";
  EXPECT_TRUE(index_tests::in_bounds(band->bounds(), {60.2, 0}));
  const auto pacific = shape(R"({"type":"polygon","geojson":{"type":"Polygon",
      "coordinates":[[[179,-1],[-179,-1],[-179,1],[179,1],[179,-1]]]}})");
  ASSERT_TRUE(pacific);
  EXPECT_EQ(pacific->bounds().size(), 2u);
  EXPECT_TRUE(index_tests::in_bounds(pacific->bounds(), {0, -179.5}));
  EXPECT_TRUE(index_tests::in_bounds(pacific->bounds(), {0, 179.5}));
  EXPECT_FALSE(index_tests::in_bounds(pacific->bounds(), {0, 0}));
}

// The index answers exactly what testing every shape answers, for any subset of members.
TEST(GeoTest, TheIndexAgreesWithTestingEveryShape) {
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> lat(-89.0, 89.0), lng(-180.0, 180.0), km(0.5, 800.0);
  std::vector<LocationIndex::Entry> entries;
  for (int i = 0; i < 1000; ++i) {
    std::string json;
    if (i % 3 == 0) {
      const double a = lat(rng) * 0.9, b = lng(rng), d = km(rng) / 100;  // a square of d degrees
      const auto pos = [](double x, double y) {
        return "[" + std::to_string(std::remainder(x, 360.0)) + "," + std::to_string(y) + "]";
      };
      json = R"({"type":"polygon","geojson":{"type":"Polygon","coordinates":[[)" + pos(b, a) + "," +
             pos(b + d, a) + "," + pos(b + d, a + d) + "," + pos(b, a + d) + "," + pos(b, a) +
             "]]}}";
    } else {
      json = index_tests::circle_json(lat(rng), lng(rng), std::to_string(km(rng)) + " km");
    }
    entries.push_back({"loc_" + std::to_string(i), shape(json), {}});
    ASSERT_TRUE(entries.back().shape) << json;
  }
  const auto index = LocationIndex::build(entries);
  std::vector<bool> every(entries.size(), true), odd(entries.size(), false);
  for (size_t i = 1; i < odd.size(); i += 2) odd[i] = true;
  int hits = 0;
  for (int n = 0; n < 1000; ++n) {
    const GeoPoint p{lat(rng), lng(rng)};
    for (const auto* members : {&every, &odd}) {
      bool brute = false;
      for (size_t i = 0; i < entries.size() && !brute; ++i) {
        brute = (*members)[i] && entries[i].shape->contains(p);
      }
      ASSERT_EQ(index->any_contains(p, *members), brute) << p.latitude << "," << p.longitude;
      hits += brute;
    }
  }
  EXPECT_GT(hits, 100) << "the sample must hit shapes, not only miss them";
}

TEST(GeoTest, ASetNamingAnUnknownOrBrokenLocationIsRefused) {
  const auto index =
      LocationIndex::build({{"loc_a", shape(index_tests::circle_json(0, 0, "1 km")), {}},
                            {"loc_b", nullptr, "shape.type: circle or polygon"}});
  auto set = index->set_of({"loc_a"}, "filter.metadata.at");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE((*set)->contains("geo:0,0.005"));
  EXPECT_FALSE((*set)->contains("geo:0,0.02"));
  EXPECT_FALSE((*set)->contains("geo:0"));
  EXPECT_FALSE((*set)->contains("0,0"));
  auto unknown = index->set_of({"loc_a", "loc_x"}, "filter.metadata.at");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().details.find("filter.metadata.at: unknown location loc_x"),
            std::string::npos);
  auto broken = index->set_of({"loc_b"}, "filter.metadata.at");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().details.find("loc_b cannot be read"), std::string::npos);
}

// $in_location reads the request's copy of the document only; without coordinates neither
// operator holds; an unknown location or a field that is not metadata does not compile.
TEST(GeoTest, FiltersDecideOnTheCoordinatesTheRequestSends) {
  const auto index =
      LocationIndex::build({{"loc_a", shape(index_tests::circle_json(0, 0, "1 km")), {}}});
  const auto filter = [&](const std::string& op) {
    return rules::Filter::compile(
        boost::json::parse(R"({"junction":"and","metadata.at":{"conditions":{")" + op +
                           R"(":["loc_a"]}}})"),
        index->resolver());
  };
  auto in = filter("$in_location");
  auto out = filter("$not_in_location");
  ASSERT_TRUE(in.ok() && out.ok());
  const Json stored = boost::json::parse(R"({"metadata":{"at":"geo:0,0"}})");
  const Json near = boost::json::parse(R"({"metadata":{"at":"geo:0,0.005"}})");
  const Json far = boost::json::parse(R"({"metadata":{"at":"geo:0,0.5"}})");
  const Json none = boost::json::parse(R"({"metadata":{}})");
  const Instant now = now_utc();
  EXPECT_TRUE(in->matches(none, now, &near));
  EXPECT_FALSE(in->matches(stored, now, &far)) << "the stored position is not where they are";
  EXPECT_FALSE(in->matches(stored, now)) << "no request: no coordinates";
  EXPECT_FALSE(in->matches(stored, now, &none));
  EXPECT_TRUE(out->matches(none, now, &far));
  EXPECT_FALSE(out->matches(none, now, &near));
  EXPECT_FALSE(out->matches(none, now, &none)) << "fail closed without coordinates";
  EXPECT_EQ(in->location_paths(), std::vector<std::string>{"metadata.at"});
  EXPECT_EQ(in->location_ids(), std::vector<std::string>{"loc_a"});

  auto unknown = rules::Filter::compile(
      boost::json::parse(R"({"metadata.at":{"conditions":{"$in_location":["loc_z"]}}})"),
      index->resolver());
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().details.find("filter.metadata.at: unknown location loc_z"),
            std::string::npos);
  auto not_metadata = rules::Filter::compile(
      boost::json::parse(R"({"address.city":{"conditions":{"$in_location":["loc_a"]}}})"));
  ASSERT_FALSE(not_metadata.ok());
  EXPECT_NE(not_metadata.error().details.find("metadata.<key>"), std::string::npos);
}

}  // namespace
}  // namespace openpromo::engine
