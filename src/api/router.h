// Router: maps (method, path) to a route. Patterns are literal segments and `{name}` parameters,
// e.g. `/v1/categories/{categoryId}`. One trailing slash is ignored (`POST /v1/vouchers/` is a
// real client's call). A path that matches a pattern under another method is a 405 that names
// the allowed methods, not a 404.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/query_string.h"

namespace openpromo::api {

struct PathParams {
  std::vector<std::pair<std::string, std::string>> values;
  std::string_view get(std::string_view name) const {
    for (const auto& [k, v] : values) {
      if (k == name) return v;
    }
    return {};
  }
};

template <class Target>
class Router {
 public:
  struct Match {
    const Target* target = nullptr;        // set when a route matched path and method
    const std::string* pattern = nullptr;  // the matched pattern (metrics label)
    PathParams params;
    std::vector<std::string> allowed_methods;  // when the path matched but the method did not
    bool bad_encoding = false;                 // a path segment had a malformed %-escape
  };

  void add(std::string method, std::string pattern, Target target) {
    routes_.push_back(Route{std::move(method), split(pattern), pattern, std::move(target)});
  }

  Match match(std::string_view method, std::string_view path) const;

  static std::vector<std::string> split(std::string_view path);

  struct Route {
    std::string method;
    std::vector<std::string> segments;
    std::string pattern;
    Target target;
  };
  // Every registered route, in registration order (tests walk them all).
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Decodes one path segment; nullopt on a malformed escape. `+` stays `+` in paths.
inline std::optional<std::string> decode_path_segment(std::string_view segment) {
  return percent_decode(segment, /*plus_is_space=*/false);
}

template <class Target>
std::vector<std::string> Router<Target>::split(std::string_view path) {
  std::vector<std::string> out;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path.starts_with('/')) path.remove_prefix(1);
  if (path.empty()) return out;
  for (;;) {
    const size_t end = path.find('/');
    out.emplace_back(path.substr(0, end));
    if (end == std::string_view::npos) break;
    path.remove_prefix(end + 1);
  }
  return out;
}

template <class Target>
typename Router<Target>::Match Router<Target>::match(std::string_view method,
                                                     std::string_view path) const {
  Match m;
  const auto segments = split(path);
  for (const Route& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    PathParams params;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      const std::string& want = r.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        auto decoded = decode_path_segment(segments[i]);
        if (!decoded || decoded->empty()) {
          m.bad_encoding = m.bad_encoding || !decoded;
          ok = false;
        } else {
          params.values.emplace_back(want.substr(1, want.size() - 2), std::move(*decoded));
        }
      } else {
        ok = want == segments[i];
      }
    }
    if (!ok) continue;
    if (r.method == method) {
      m.target = &r.target;
      m.pattern = &r.pattern;
      m.params = std::move(params);
      return m;
    }
    m.allowed_methods.push_back(r.method);
  }
  return m;
}

}  // namespace openpromo::api
