// The stacking scenarios (tests/scenarios/stacking/) played through the real server over HTTP
// (issue 13): each file's definitions are created through the API (categories, product
// collections, validation rules, vouchers, promotion tiers and stacks), each case's stacking
// rules are set through the management API, and the case's request is sent to POST
// /v1/validations. The answer must contain the same expected subset as in-process.
//
// Scenario ids (cat_a, promo_over_100, pc_all, ...) name objects the server gives its own ids;
// every JSON string equal to a scenario id, and every object key equal to one, is replaced by the
// server's id in requests, settings and expectations. Cases here may only vary stacking rules
// (their definitions are created once per file) and must not depend on `now` or usage counters.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <set>
#include <string>

#include "support/http_client.h"
#include "support/scenario_files.h"
#include "support/server_process.h"

namespace openpromo::testing {
namespace {

namespace json = boost::json;

const HeaderList kAuth{{"X-App-Id", ServerProcess::kAppId},
                       {"X-App-Token", ServerProcess::kAppToken},
                       {"Content-Type", "application/json"}};

// Scenario id -> server id, applied to JSON values.
class Ids {
 public:
  void add(const std::string& scenario, const std::string& server) { ids_[scenario] = server; }
  json::value map(json::value v) const {
    if (v.is_string()) {
      const auto it = ids_.find(std::string(v.as_string()));
      if (it != ids_.end()) return json::value(it->second);
      return v;
    }
    if (v.is_array()) {
      json::array out;
      for (const json::value& x : v.as_array()) out.push_back(map(x));
      return out;
    }
    if (v.is_object()) {
      json::object out;
      for (const auto& [k, x] : v.as_object()) {
        const auto it = ids_.find(std::string(k));
        out[it != ids_.end() ? it->second : std::string(k)] = map(x);
      }
      return out;
    }
    return v;
  }

 private:
  std::map<std::string, std::string> ids_;
};

std::vector<std::string> stacking_files() {
  std::set<std::string> files;
  for (const auto& c : load_scenario_cases(std::string(OPENPROMO_SCENARIO_DIR) + "/stacking")) {
    files.insert(c.file);
  }
  return {files.begin(), files.end()};
}

class StackingOverHttp : public ::testing::TestWithParam<std::string> {
 protected:
  HttpResult call(const std::string& method, const std::string& path, const json::value& body) {
    return client_->request(method, path, body.is_null() ? "" : json::serialize(body), kAuth);
  }
  std::string create(const std::string& path, const json::value& body) {
    const auto r = call("POST", path, body);
    if (r.status != 200) {
      ADD_FAILURE() << "POST " << path << " " << json::serialize(body) << " -> " << r.body;
      return {};
    }
    return std::string(r.json().at("id").as_string());
  }

  // Creates the file's definitions through the API.
  void build(const json::object& setup) {
    // Categories, from the incentives that name them.
    if (const auto* incs = setup.if_contains("incentives")) {
      std::set<std::string> seen;
      for (const auto& inc : incs->as_array()) {
        const auto* cat = inc.as_object().if_contains("category");
        if (!cat) continue;
        const std::string id(cat->at("id").as_string());
        if (!seen.insert(id).second) continue;
        const int64_t hierarchy =
            cat->as_object().contains("hierarchy") ? cat->at("hierarchy").to_number<int64_t>() : 1;
        ids_.add(id,
                 create("/v1/categories", json::object{{"name", id}, {"hierarchy", hierarchy}}));
      }
    }
    // Product collections: their members become products (by source id) of a STATIC collection.
    if (const auto* cols = setup.if_contains("collections")) {
      for (const auto& [id, members] : cols->as_object()) {
        json::array products;
        for (const auto& m : members.as_array()) {
          const std::string key(m.as_string());
          const auto p =
              call("POST", "/v1/products", json::object{{"source_id", key}, {"name", key}});
          if (p.status != 200) ADD_FAILURE() << p.body;
          products.push_back(json::object{{"id", p.json().at("id")}, {"object", "product"}});
        }
        ids_.add(std::string(id), create("/v1/product-collections",
                                         json::object{{"name", std::string(id)},
                                                      {"type", "STATIC"},
                                                      {"products", std::move(products)}}));
      }
    }
    if (const auto* rules = setup.if_contains("rules")) {
      for (const auto& [id, rule] : rules->as_object()) {
        json::object body = ids_.map(rule).as_object();
        body["name"] = std::string(id);
        ids_.add(std::string(id), create("/v1/validation-rules", body));
      }
    }
    std::string promotion;  // one PROMOTION campaign holds the tiers without a campaign
    std::map<std::string, std::string> tier_campaign;
    if (const auto* incs = setup.if_contains("incentives")) {
      for (const auto& value : incs->as_array()) {
        json::object inc = value.as_object();
        if (inc.contains("campaign")) {
          ADD_FAILURE() << "incentives in campaigns are not supported over HTTP";
          continue;
        }
        const std::string id(inc.at("id").as_string());
        json::object body;
        for (const auto& [k, v] : inc) {
          if (k == "object" || k == "id" || k == "code" || k == "category") continue;
          body[k] = ids_.map(v);
        }
        if (const auto* cat = inc.if_contains("category")) {
          body["category_id"] = ids_.map(cat->at("id"));
        }
        if (inc.at("object").as_string() == "voucher") {
          const std::string code(inc.at("code").as_string());
          const auto r = call("POST", "/v1/vouchers/" + code, body);
          if (r.status != 200) ADD_FAILURE() << "voucher " << code << ": " << r.body;
          continue;
        }
        if (promotion.empty()) {
          promotion = create("/v1/campaigns", json::object{{"name", "scenario promotions"},
                                                           {"campaign_type", "PROMOTION"}});
        }
        ids_.add(id, create("/v1/promotions/" + promotion + "/tiers", body));
        tier_campaign[id] = promotion;
      }
    }
    if (const auto* stacks = setup.if_contains("stacks")) {
      for (const auto& [id, tiers] : stacks->as_object()) {
        ids_.add(std::string(id),
                 create("/v1/promotions/" + promotion + "/stacks",
                        json::object{{"name", std::string(id)},
                                     {"tiers", json::object{{"ids", ids_.map(tiers)},
                                                            {"hierarchy_mode", "MANUAL"}}}}));
      }
    }
  }

  // The case's stacking rules, replacing the previous case's.
  void settle(const json::object& setup) {
    const json::value current =
        call("GET", "/management/v1/projects/me/stacking-rules", nullptr).json();
    for (const auto& s : current.at("data").as_array()) {
      call("DELETE",
           "/management/v1/projects/me/stacking-rules/" + std::string(s.at("id").as_string()),
           nullptr);
    }
    if (const auto* st = setup.if_contains("stacking_rules")) {
      const auto r = call("POST", "/management/v1/projects/me/stacking-rules", ids_.map(*st));
      if (r.status != 200) ADD_FAILURE() << "stacking rules: " << r.body;
    }
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  Ids ids_;
};

TEST_P(StackingOverHttp, EveryCaseAnswersAsInProcess) {
  server_ = std::make_unique<ServerProcess>();
  client_ = std::make_unique<HttpClient>(server_->port());
  std::vector<ScenarioCase> cases;
  for (auto& c : load_scenario_cases(std::string(OPENPROMO_SCENARIO_DIR) + "/stacking")) {
    if (c.file == GetParam()) cases.push_back(std::move(c));
  }
  ASSERT_FALSE(cases.empty());
  // The file's definitions, once: the merged setup of the first case minus its stacking rules
  // is the file's (cases may only change stacking rules).
  const json::value file =
      read_json_file(std::string(OPENPROMO_SCENARIO_DIR) + "/stacking/" + GetParam() + ".json");
  const json::object file_setup =
      file.as_object().contains("setup") ? file.at("setup").as_object() : json::object();
  build(file_setup);
  for (const ScenarioCase& c : cases) {
    SCOPED_TRACE(c.file + "/" + c.name);
    if (const auto* own = c.body.if_contains("setup")) {
      for (const auto& [k, v] : own->as_object()) {
        EXPECT_EQ(k, "stacking_rules") << "a case over HTTP may only change stacking rules";
      }
    }
    for (const char* unsupported : {"now", "legacy"}) {
      EXPECT_FALSE(c.body.contains(unsupported)) << unsupported << " cannot be played over HTTP";
    }
    EXPECT_FALSE(c.setup.contains("usage")) << "usage counters cannot be set over HTTP";
    settle(c.setup);
    const auto r = call("POST", "/v1/validations", ids_.map(c.body.at("request")));
    const json::value expected = ids_.map(c.body.at("expect"));
    json::value actual;
    if (r.status == 200) {
      actual = r.json();
    } else {
      // An error answer: compared like the in-process runner's {"error": ...}.
      actual = json::object{{"error", r.json()}};
    }
    const std::string diff = json_mismatch(expected, actual, "response");
    EXPECT_TRUE(diff.empty()) << c.name << ": " << diff << "\nfull response: " << r.body;
  }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, StackingOverHttp, ::testing::ValuesIn(stacking_files()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace openpromo::testing
