#include "support/scenario_files.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace openpromo::testing {

namespace json = boost::json;

std::string ScenarioCase::test_name() const {
  std::string out = file + "__" + name;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return out;
}

json::value read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value value = json::parse(text.str(), ec);
  if (ec) throw std::runtime_error(path.string() + ": " + ec.message());
  return value;
}

json::object merge_setup(json::object base, const json::object& over) {
  for (const auto& [key, value] : over) {
    if (key == "incentives" && base.contains(key) && value.is_array()) {
      json::array merged = base.at(key).as_array();
      for (const json::value& inc : value.as_array()) {
        auto same = std::find_if(merged.begin(), merged.end(), [&](const json::value& m) {
          return m.as_object().at("id") == inc.as_object().at("id");
        });
        if (same != merged.end()) {
          *same = inc;
        } else {
          merged.push_back(inc);
        }
      }
      base[key] = std::move(merged);
    } else if (value.is_object() && base.contains(key) && base.at(key).is_object()) {
      json::object merged = base.at(key).as_object();
      for (const auto& [k, v] : value.as_object()) merged[k] = v;
      base[key] = std::move(merged);
    } else {
      base[key] = value;
    }
  }
  return base;
}

std::vector<ScenarioCase> load_scenario_cases(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<ScenarioCase> cases;
  for (const auto& path : files) {
    const json::value file = read_json_file(path);
    const json::object& root = file.as_object();
    const json::object setup =
        root.contains("setup") ? root.at("setup").as_object() : json::object();
    std::filesystem::path relative = std::filesystem::relative(path, dir);
    relative.replace_extension();
    for (const json::value& c : root.at("cases").as_array()) {
      const json::object& co = c.as_object();
      ScenarioCase one;
      one.file = relative.generic_string();
      one.name = std::string(co.at("name").as_string());
      one.setup = co.contains("setup") ? merge_setup(setup, co.at("setup").as_object()) : setup;
      one.body = co;
      cases.push_back(std::move(one));
    }
  }
  return cases;
}

std::string json_mismatch(const json::value& expected, const json::value& actual,
                          const std::string& path) {
  if (expected.is_object()) {
    if (!actual.is_object()) return path + ": expected an object, got " + json::serialize(actual);
    for (const auto& [key, value] : expected.as_object()) {
      const json::value* a = actual.as_object().if_contains(key);
      // "$absent": the field must be left out (the reference omits empty lists and unset dates).
      if (value.is_string() && value.as_string() == "$absent") {
        if (a)
          return path + "." + std::string(key) + ": expected absent, got " + json::serialize(*a);
        continue;
      }
      if (!a) return path + "." + std::string(key) + ": missing in " + json::serialize(actual);
      if (auto m = json_mismatch(value, *a, path + "." + std::string(key)); !m.empty()) return m;
    }
    return {};
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.as_array().size() != expected.as_array().size()) {
      return path + ": expected " + json::serialize(expected) + ", got " + json::serialize(actual);
    }
    for (size_t i = 0; i < expected.as_array().size(); ++i) {
      if (auto m = json_mismatch(expected.as_array()[i], actual.as_array()[i],
                                 path + "[" + std::to_string(i) + "]");
          !m.empty()) {
        return m;
      }
    }
    return {};
  }
  const bool both_numbers = expected.is_number() && actual.is_number();
  if (both_numbers ? expected.to_number<double>() != actual.to_number<double>()
                   : expected != actual) {
    return path + ": expected " + json::serialize(expected) + ", got " + json::serialize(actual);
  }
  return {};
}

}  // namespace openpromo::testing
