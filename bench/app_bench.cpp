// In-process cost of the request path without sockets: App::handle (routing, key lookup and
// token hashing, SQLite read, JSON encode) and the list-query parser. Run:
//   build/bin/app_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>
#include <cstdio>
#include <filesystem>

#include "api/app.h"
#include "api/query_string.h"

namespace {

using namespace openpromo;

struct Fixture {
  Fixture() {
    dir =
        std::filesystem::temp_directory_path() / ("openpromo-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    store = std::move(Store::open("sqlite:" + (dir / "bench.db").string(), StoreOptions{}).value());
    (void)store->migrate();
    project = store->ensure_default_project(now_utc()).value();
    key = KeyService(*store).create(project, KeyKind::kServer, Role::kAdmin, {}).value();
    app = std::make_unique<api::App>(*store, api::AppOptions{false, stderr});
    for (int i = 0; i < 50; ++i) {
      auto r = app->handle(request("POST", "/v1/categories",
                                   R"({"name":"c)" + std::to_string(i) + R"(","hierarchy":1})"));
      category_id = std::string(boost::json::parse(r.body).at("id").as_string());
    }
  }
  ~Fixture() {
    app.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  api::HttpRequest request(std::string method, std::string target, std::string body = "") const {
    api::HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.headers = {{"x-app-id", key.key.app_id},
                 {"x-app-token", key.token},
                 {"content-type", "application/json"}};
    return r;
  }

  std::filesystem::path dir;
  std::unique_ptr<Store> store;
  Project project;
  NewKey key;
  std::unique_ptr<api::App> app;
  std::string category_id;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_GetCategory(benchmark::State& state) {
  auto& f = fixture();
  const auto req = f.request("GET", "/v1/categories/" + f.category_id);
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_GetCategory);

void BM_ListCategories20(benchmark::State& state) {
  auto& f = fixture();
  const auto req = f.request("GET", "/v1/categories?limit=20&order=-created_at");
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_ListCategories20);

void BM_UnauthorizedRequest(benchmark::State& state) {
  auto& f = fixture();
  api::HttpRequest req;
  req.method = "GET";
  req.target = "/v1/categories";
  for (auto _ : state) {
    auto r = f.app->handle(req);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_UnauthorizedRequest);

void BM_ParseListQuery(benchmark::State& state) {
  const std::string q =
      "limit=50&page=2&order=-created_at&filters[junction]=or&filters[name][conditions][$in][0]=A"
      "&filters[name][conditions][$in][1]=B&filters[hierarchy][conditions][$more_than]=3";
  for (auto _ : state) {
    auto parsed = api::parse_list_query(api::QueryParams::parse(q), 10);
    benchmark::DoNotOptimize(parsed.ok());
  }
}
BENCHMARK(BM_ParseListQuery);

}  // namespace

BENCHMARK_MAIN();
