// Store: every read and write of persistent state, behind one interface for all backends.
//
// Store speaks domain types (model/) and ListQuery; SQL stays inside store/, and whatever differs
// between SQLite and PostgreSQL stays inside the driver (sql.h). The store never decides business
// outcomes: it applies what the service layer decided, atomically, and reports guard failures
// (not found, duplicate) as Error values.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "model/api_key.h"
#include "model/category.h"
#include "model/list_query.h"
#include "model/project.h"
#include "store/sql.h"

namespace openpromo {

struct StoreOptions {
  int pool_size = 4;
};

class Store {
 public:
  // `url` is `sqlite:PATH` (PATH may be relative; `sqlite://PATH` is accepted too).
  static Result<std::unique_ptr<Store>> open(std::string_view url, const StoreOptions& options);

  explicit Store(std::unique_ptr<sql::Database> db) : db_(std::move(db)) {}
  ~Store();

  std::string_view backend() const { return db_->dialect(); }

  // Applies pending schema migrations; safe to call on every start.
  Status migrate();
  int latest_schema_version() const;
  Result<int> schema_version();
  // Cheap liveness probe of the database (used by GET /health).
  Status ping();
  // Checkpoints and closes every connection. REQUIRES: no request is still using the store.
  void close();

  // Projects. The default project is the one keys are created in until projects get an API.
  Result<Project> ensure_default_project(Instant now);
  Result<std::optional<Project>> find_project(std::string_view id);

  // API keys.
  Status insert_api_key(const ApiKey& key);
  Result<std::optional<ApiKey>> find_api_key(std::string_view app_id);
  Result<int64_t> count_api_keys(std::string_view project_id);

  // Categories. Names are unique within a project.
  Status insert_category(const Category& category);
  Result<std::optional<Category>> find_category(std::string_view project_id, std::string_view id);
  Result<Page<Category>> list_categories(std::string_view project_id, const ListQuery& query);
  // Sets the draft's present fields and updated_at; returns the category as stored.
  Result<Category> update_category(std::string_view project_id, std::string_view id,
                                   const CategoryDraft& draft, Instant updated_at);
  Status delete_category(std::string_view project_id, std::string_view id);

 private:
  std::unique_ptr<sql::Database> db_;
};

}  // namespace openpromo
