// openpromo: the command-line entry point. Verbs:
//   serve    run the HTTP API
//   migrate  apply database migrations and exit
//   keys     create API keys
//   projects create projects (tenants)
//   users    create dashboard users
//   demo     seed the demo store's sample data
// See README.md ("Command line") for the contract other tools rely on.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/app.h"
#include "api/demo_seed.h"
#include "api/http_server.h"
#include "core/crypto.h"
#include "core/time.h"
#include "core/version.h"
#include "service/dashboard_service.h"
#include "service/job_runner.h"
#include "service/key_service.h"
#include "store/project_repository.h"
#include "store/store.h"

namespace {

using namespace openpromo;

constexpr const char* kDefaultDb = "sqlite:./data/openpromo.db";
constexpr const char* kDefaultListen = "127.0.0.1:8080";

constexpr const char* kUsage = R"(usage:
  openpromo --version
  openpromo serve [--listen HOST:PORT] [--db URL] [--threads N] [--workers N] [--max-body-bytes N]
                  [--idle-timeout-ms N] [--header-timeout-ms N] [--shutdown-grace-ms N]
                  [--job-lease-ms N] [--catalog-recheck-ms N] [--exports-dir DIR] [--web-root DIR]
  openpromo migrate [--db URL]
  openpromo keys create [--db URL] [--project ID] --role admin|user|restricted|management [--client --origin URL ...]
                        [--area ID]... [--store ID]... [--all-stores-of ID]...  (restricted keys)
  openpromo projects create [--db URL] --name NAME
  openpromo users create [--db URL] [--project ID] --email EMAIL --role admin|user|viewer|restricted
                         [--area ID]... [--store ID]... [--all-stores-of ID]...  (password: first line of stdin)
  openpromo demo seed [--db URL] [--project ID]

environment: OPENPROMO_LISTEN, OPENPROMO_DB, OPENPROMO_EXPORTS_DIR, OPENPROMO_WEB_ROOT, OPENPROMO_BOOTSTRAP_APP_ID, OPENPROMO_BOOTSTRAP_APP_TOKEN
database URLs: sqlite:PATH (default sqlite:./data/openpromo.db)
)";

// Parsed `--name value` options and `--flag`s; repeated options keep every value.
struct Args {
  std::map<std::string, std::vector<std::string>> values;
  std::vector<std::string> flags;
  std::vector<std::string> positional;

  std::optional<std::string> get(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
  }
  bool flag(const std::string& name) const {
    for (const auto& f : flags) {
      if (f == name) return true;
    }
    return false;
  }
};

std::optional<Args> parse_args(int argc, char** argv, int first,
                               const std::vector<std::string>& flag_names) {
  Args args;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (!a.starts_with("--")) {
      args.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    if (auto eq = name.find('='); eq != std::string::npos) {
      args.values[name.substr(0, eq)].push_back(name.substr(eq + 1));
      continue;
    }
    bool is_flag = false;
    for (const auto& f : flag_names) is_flag = is_flag || f == name;
    if (is_flag) {
      args.flags.push_back(name);
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "openpromo: --%s needs a value\n", name.c_str());
      return std::nullopt;
    }
    args.values[name].push_back(argv[++i]);
  }
  return args;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::optional<long> parse_number(const std::string& text) {
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// `postgresql://user:secret@host/db` -> `postgresql://user:***@host/db`, for printing.
std::string redact_url(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

int fail(const Error& e) {
  std::fprintf(stderr, "openpromo: %s: %s\n", e.message.c_str(), e.details.c_str());
  return 1;
}

Result<std::unique_ptr<Store>> open_store(const std::string& url, int pool_size) {
  StoreOptions options;
  options.pool_size = pool_size;
  OP_ASSIGN(auto store, Store::open(url, options));
  OP_TRY(store->migrate());
  return store;
}

// `--db`, else $OPENPROMO_DB, else the default SQLite file.
std::string database_of(const Args& args) {
  return args.get("db").value_or(env_or("OPENPROMO_DB", kDefaultDb));
}

// The migrated database of `--db` and the project `--project ID` names, else the default one:
// what the verbs that act in one project start from. None (with the exit code set) when the
// database fails or the project does not exist.
struct OpenedProject {
  std::unique_ptr<Store> store;
  Project project;
};
std::optional<OpenedProject> open_project(const Args& args, int pool_size, int& exit_code) {
  auto store = open_store(database_of(args), pool_size);
  if (!store.ok()) {
    exit_code = fail(store.error());
    return std::nullopt;
  }
  OpenedProject out{std::move(*store), {}};
  if (auto id = args.get("project")) {
    auto tx = out.store->statements();
    if (!tx.ok()) {
      exit_code = fail(tx.error());
      return std::nullopt;
    }
    auto found = ProjectRepository(*tx).find(Scope::of_project(*id));
    if (!found.ok()) {
      exit_code = fail(found.error());
      return std::nullopt;
    }
    if (!*found) {
      std::fprintf(stderr, "openpromo: no project %s\n", id->c_str());
      exit_code = 2;
      return std::nullopt;
    }
    out.project = **found;
    return out;
  }
  auto project = KeyService(*out.store).ensure_default_project();
  if (!project.ok()) {
    exit_code = fail(project.error());
    return std::nullopt;
  }
  out.project = *project;
  return out;
}

// `--area`, `--store` and `--all-stores-of`, each repeatable.
AssignmentIds assignments_of(const Args& args) {
  AssignmentIds assignments;
  for (auto [flag, target] :
       {std::pair{"area", &assignments.areas_ids}, std::pair{"store", &assignments.area_stores_ids},
        std::pair{"all-stores-of", &assignments.area_all_stores_ids}}) {
    if (auto it = args.values.find(flag); it != args.values.end()) *target = it->second;
  }
  return assignments;
}

int cmd_migrate(const Args& args) {
  const std::string db = database_of(args);
  auto store = open_store(db, 1);
  if (!store.ok()) return fail(store.error());
  auto version = (*store)->schema_version();
  if (!version.ok()) return fail(version.error());
  std::printf("database %s is at schema version %d\n", redact_url(db).c_str(), *version);
  return 0;
}

int cmd_keys(const Args& args) {
  if (args.positional.empty() || args.positional[0] != "create") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  // `--role management`: a management key (X-Management-Id / X-Management-Token), which opens
  // the /management/v1 API of every project; it is kept with the default project.
  const bool management = args.get("role").value_or("") == "management";
  const auto role = management ? std::optional<Role>(Role::kAdmin)
                               : role_from_string(args.get("role").value_or(""));
  if (!role) {
    std::fputs("openpromo: keys create needs --role admin|user|restricted|management\n", stderr);
    return 2;
  }
  const bool client = args.flag("client");
  if (management && client) {
    std::fputs("openpromo: a management key is not a client key\n", stderr);
    return 2;
  }
  std::vector<std::string> origins;
  if (auto it = args.values.find("origin"); it != args.values.end()) origins = it->second;
  if (client && origins.empty()) {
    std::fputs("openpromo: a client key needs at least one --origin URL\n", stderr);
    return 2;
  }
  int exit_code = 0;
  auto opened = open_project(args, 1, exit_code);
  if (!opened) return exit_code;
  KeyService keys(*opened->store);
  const Project* project = &opened->project;
  const KeyKind kind = management ? KeyKind::kManagement
                       : client   ? KeyKind::kClient
                                  : KeyKind::kServer;
  // `--role restricted`: the key's areas and stores (spec 14.2), each flag repeatable.
  const AssignmentIds assignments = assignments_of(args);
  if (*role == Role::kRestricted && assignments.empty()) {
    std::fputs("openpromo: a restricted key needs --area, --store or --all-stores-of IDs\n",
               stderr);
    return 2;
  }
  auto created = keys.create(*project, kind, *role, origins, assignments);
  if (!created.ok()) return fail(created.error());
  boost::json::object out;
  out["id"] = created->key.id;
  out["object"] = "api_key";
  out["type"] = to_string(created->key.kind);
  out["role"] = to_string(created->key.role);
  out["project_id"] = created->key.project_id;
  out["app_id"] = created->key.app_id;
  out["app_token"] = created->token;
  if (client) {
    boost::json::array list;
    for (const auto& o : created->key.allowed_origins) list.emplace_back(o);
    out["allowed_origins"] = std::move(list);
  }
  out["created_at"] = format_iso8601(created->key.created_at);
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return 0;
}

// `users create`: a dashboard user (issue 20); the password is the first line of stdin.
int cmd_users(const Args& args) {
  const auto role = dashboard_role_from_string(args.get("role").value_or(""));
  if (args.positional.empty() || args.positional[0] != "create" || !args.get("email") || !role) {
    std::fputs("openpromo: users create needs --email EMAIL --role admin|user|viewer|restricted\n",
               stderr);
    return 2;
  }
  const AssignmentIds assignments = assignments_of(args);
  if (*role == DashboardRole::kRestricted && assignments.empty()) {
    std::fputs("openpromo: a restricted user needs --area, --store or --all-stores-of IDs\n",
               stderr);
    return 2;
  }
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  int exit_code = 0;
  auto opened = open_project(args, 1, exit_code);
  if (!opened) return exit_code;
  KeyService keys(*opened->store);
  DashboardService users(*opened->store, keys);
  auto user = users.create_user(opened->project, *args.get("email"), *role, password, assignments);
  if (!user.ok()) return fail(user.error());
  boost::json::object out;
  out["id"] = user->id;
  out["object"] = "dashboard_user";
  out["email"] = user->email;
  out["role"] = to_string(user->role);
  out["project_id"] = user->project_id;
  out["created_at"] = format_iso8601(user->created_at);
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return 0;
}

// `demo seed`: the demo store's sample data (api/demo_seed.h).
int cmd_demo(const Args& args) {
  if (args.positional.empty() || args.positional[0] != "seed") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  int exit_code = 0;
  auto opened = open_project(args, 2, exit_code);
  if (!opened) return exit_code;
  const Project* project = &opened->project;
  auto report = api::seed_demo(*opened->store, *project);
  if (!report.ok()) return fail(report.error());
  if (report->already_seeded) {
    std::printf("demo data is already in project %s: nothing added\n", project->id.c_str());
    return 0;
  }
  std::printf("demo data added to project %s:\n", project->id.c_str());
  for (const auto& line : report->created) std::printf("  %s\n", line.c_str());
  return 0;
}

int cmd_projects(const Args& args) {
  if (args.positional.empty() || args.positional[0] != "create" || !args.get("name")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string db = database_of(args);
  auto store = open_store(db, 1);
  if (!store.ok()) return fail(store.error());
  KeyService keys(**store);
  auto project = keys.create_project(*args.get("name"));
  if (!project.ok()) return fail(project.error());
  boost::json::object out;
  out["id"] = project->id;
  out["name"] = project->name;
  out["object"] = "project";
  out["created_at"] = format_iso8601(project->created_at);
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return 0;
}

int cmd_serve(const Args& args) {
  const std::string db = database_of(args);
  const std::string listen =
      args.get("listen").value_or(env_or("OPENPROMO_LISTEN", kDefaultListen));
  api::ServerOptions options;
  const auto colon = listen.rfind(':');
  const auto port =
      colon == std::string::npos ? std::nullopt : parse_number(listen.substr(colon + 1));
  if (!port || *port < 0 || *port > 65535) {
    std::fprintf(stderr, "openpromo: --listen expects HOST:PORT, got '%s'\n", listen.c_str());
    return 2;
  }
  options.host = listen.substr(0, colon);
  options.port = static_cast<uint16_t>(*port);
  options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto t = args.get("threads")) {
    auto n = parse_number(*t);
    if (!n || *n < 1 || *n > 256) {
      std::fputs("openpromo: --threads expects 1..256\n", stderr);
      return 2;
    }
    options.threads = static_cast<int>(*n);
  }
  // Request handling (and so the database work) runs on its own pool; 0 handles on the io
  // threads.
  options.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto w = args.get("workers")) {
    auto n = parse_number(*w);
    if (!n || *n < 0 || *n > 256) {
      std::fputs("openpromo: --workers expects 0..256\n", stderr);
      return 2;
    }
    options.workers = static_cast<int>(*n);
  }
  // Timeouts in milliseconds, mostly for tests and unusual networks.
  std::chrono::milliseconds job_lease = JobRunner::kDefaultLease;
  api::AppOptions app_options;
  for (auto [flag, target] :
       {std::pair{"idle-timeout-ms", &options.idle_timeout},
        std::pair{"header-timeout-ms", &options.header_timeout},
        std::pair{"shutdown-grace-ms", &options.shutdown_grace},
        std::pair{"job-lease-ms", &job_lease},
        std::pair{"catalog-recheck-ms", &app_options.catalog.recheck_interval}}) {
    if (auto v = args.get(flag)) {
      auto n = parse_number(*v);
      if (!n || *n < 1) {
        std::fprintf(stderr, "openpromo: --%s expects a positive number\n", flag);
        return 2;
      }
      *target = std::chrono::milliseconds(*n);
    }
  }
  if (auto b = args.get("max-body-bytes")) {
    auto n = parse_number(*b);
    if (!n || *n < 1) {
      std::fputs("openpromo: --max-body-bytes expects a positive number\n", stderr);
      return 2;
    }
    options.max_body_bytes = static_cast<size_t>(*n);
  }

  // Export CSVs: next to the SQLite file by default (one node), else ./data/exports; nodes that
  // share a PostgreSQL database need a shared directory here.
  app_options.exports_dir = args.get("exports-dir").value_or(env_or("OPENPROMO_EXPORTS_DIR", ""));
  if (app_options.exports_dir.empty()) {
    app_options.exports_dir = "./data/exports";
    if (db.starts_with("sqlite:")) {
      const std::filesystem::path file(db.substr(7));
      app_options.exports_dir =
          (file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path()) /
          "exports";
    }
  }

  // The dashboard's pages: the source tree's web/ unless told otherwise.
  app_options.web_root =
      args.get("web-root").value_or(env_or("OPENPROMO_WEB_ROOT", OPENPROMO_DEFAULT_WEB_ROOT));

  // A connection for each thread that may hold one at once: request handlers, the job runner,
  // and one spare (the catalog listener has its own).
  auto store = open_store(db, std::max(options.threads, options.workers) + 2);
  if (!store.ok()) return fail(store.error());
  KeyService keys(**store);
  auto project = keys.ensure_default_project();
  if (!project.ok()) return fail(project.error());
  auto boot = keys.bootstrap(*project, env_or("OPENPROMO_BOOTSTRAP_APP_ID", ""),
                             env_or("OPENPROMO_BOOTSTRAP_APP_TOKEN", ""));
  if (!boot.ok()) return fail(boot.error());
  if (boot->generated) {
    // Printed once: only the digest of the token is stored.
    std::printf(
        "created admin API key (shown once, store it now):\n  X-App-Id: %s\n  X-App-Token: %s\n",
        boot->generated->key.app_id.c_str(), boot->generated->token.c_str());
  }
  if (boot->bootstrap_key_mismatch) {
    std::fputs(
        "openpromo: warning: OPENPROMO_BOOTSTRAP_APP_ID exists with another token; the "
        "stored token was kept\n",
        stderr);
  }

  api::App app(**store, app_options);
  // Background jobs (code generation, ...). On SQLite this process is the only node, so claims
  // left by a previous run (a crash) are released at once; on PostgreSQL they expire instead.
  JobRunner jobs(**store, app.wire(), new_id("node_"), job_lease);
  app.set_job_waker([&jobs] { jobs.wake(); });
  app.serve_jobs(jobs);
  jobs.start(/*reclaim=*/(*store)->backend() == "sqlite");
  api::HttpServer server(app, options);
  auto bound = server.listen();
  if (!bound.ok()) return fail(bound.error());
  std::printf(
      "openpromo %s listening on http://%s:%u (database %s, %d threads, %d workers, node %s)\n",
      OPENPROMO_VERSION, options.host.c_str(), static_cast<unsigned>(*bound),
      redact_url(db).c_str(), options.threads, options.workers, jobs.worker_id().c_str());
  std::fflush(stdout);
  server.run();
  jobs.stop();  // between batches: unfinished jobs resume at the next start
  app.stop_background_writes();
  (*store)->close();
  std::printf("openpromo stopped cleanly\n");
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string verb = argv[1];
  if (verb == "--version" || verb == "version") {
    std::printf("openpromo %s\n", OPENPROMO_VERSION);
    return 0;
  }
  if (verb == "--help" || verb == "-h" || verb == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  auto args = parse_args(argc, argv, 2, {"client"});
  if (!args) return 2;
  if (verb == "serve") return cmd_serve(*args);
  if (verb == "migrate") return cmd_migrate(*args);
  if (verb == "keys") return cmd_keys(*args);
  if (verb == "projects") return cmd_projects(*args);
  if (verb == "users") return cmd_users(*args);
  if (verb == "demo") return cmd_demo(*args);
  std::fprintf(stderr, "openpromo: unknown command '%s'\n\n%s", verb.c_str(), kUsage);
  return 2;
}
