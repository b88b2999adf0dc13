// Location shapes (spec 15, issue 17): distances against published geodesic figures, and the
// boundary cases of circles and polygons.
#include "engine/geo.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

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

}  // namespace
}  // namespace openpromo::engine
