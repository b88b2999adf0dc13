// Scenario data files (tests/scenarios, format in its README): loading them, merging a case's
// setup over its file's, and comparing an answer with a case's expected subset. Shared by the
// in-process engine runner and the runner that plays cases through the real server.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <string>
#include <vector>

namespace openpromo::testing {

struct ScenarioCase {
  std::string file;  // path under the scenario directory without .json ("stacking/limits")
  std::string name;
  boost::json::object setup;      // the file's setup merged with the case's
  boost::json::object body;       // the case object
  std::string test_name() const;  // file and name as a gtest parameter name
};

boost::json::value read_json_file(const std::filesystem::path& path);
// Every case of every .json file under `dir` (recursively), in path order.
std::vector<ScenarioCase> load_scenario_cases(const std::filesystem::path& dir);
// `over` on top of `base`: incentives by id, objects key by key, anything else replaced.
boost::json::object merge_setup(boost::json::object base, const boost::json::object& over);
// Empty when `actual` contains `expected` (objects: every expected key; arrays: same length,
// element by element; numbers by value); else where and how they differ.
std::string json_mismatch(const boost::json::value& expected, const boost::json::value& actual,
                          const std::string& path);

}  // namespace openpromo::testing
