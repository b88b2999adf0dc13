// The catalog snapshot's freshness (issue 3): on PostgreSQL a change made through another store
// (another node) reaches the cache by NOTIFY, and a periodic version check covers a lost
// notification; on SQLite the version is checked on every call.
#include "service/catalog_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/crypto.h"
#include "service/key_service.h"
#include "store/category_repository.h"
#include "support/test_database.h"

namespace openpromo {
namespace {

using namespace std::chrono_literals;

class CatalogCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_a_ = open();
    node_b_ = open();
    ASSERT_TRUE(node_a_ && node_b_);
    ASSERT_TRUE(node_a_->migrate().ok());
    auto project = KeyService(*node_a_).ensure_default_project();
    ASSERT_TRUE(project.ok());
    project_ = *project;
  }

  std::unique_ptr<Store> open() {
    auto opened = Store::open(db_.url(), StoreOptions{});
    EXPECT_TRUE(opened.ok()) << opened.error().details;
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  // A new category written through `store`: a committed catalog change.
  std::string add_category(Store& store, const std::string& name) {
    Category c;
    c.id = new_id("cat_");
    c.project_id = project_.id;
    c.name = name;
    c.hierarchy = 1;
    c.created_at = now_utc();
    EXPECT_TRUE(store
                    .in_write([&](UnitOfWork& tx) {
                      return CategoryRepository(tx).insert(Scope::of_project(project_.id), c);
                    })
                    .ok());
    return c.id;
  }

  // Polls `cache` until its snapshot holds `category_id` or `limit` passes.
  static bool sees(CatalogCache& cache, const Project& project, const std::string& category_id,
                   std::chrono::milliseconds limit) {
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < limit) {
      auto snapshot = cache.current(project);
      if (snapshot.ok() && (*snapshot)->engine.categories.contains(category_id)) return true;
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }

  testing::TestDatabase db_;
  std::unique_ptr<Store> node_a_, node_b_;
  Project project_;
};

TEST_F(CatalogCacheTest, OnlyPostgresListens) {
  CatalogCache cache(*node_a_);
  if (db_.is_sqlite()) {
    EXPECT_EQ(node_a_->watch_catalog([](const std::optional<std::string>&) {}), nullptr);
    EXPECT_FALSE(cache.notified());
  } else {
    EXPECT_TRUE(cache.notified());
  }
}

// PostgreSQL: a snapshot known fresh is used without touching the database. SQLite: the version
// is read on every call (in-process, so the read is cheap).
TEST_F(CatalogCacheTest, AFreshSnapshotIsTrustedOnlyWhenNotificationsAreOn) {
  CatalogCache cache(*node_a_, CatalogCacheOptions{.recheck_interval = 60s});
  if (!db_.is_sqlite()) {
    // The listener announces its (re)connection as "anything may have changed": wait for it.
    const auto start = std::chrono::steady_clock::now();
    while (cache.stats().notifications == 0 && std::chrono::steady_clock::now() - start < 5s) {
      std::this_thread::sleep_for(2ms);
    }
    ASSERT_GE(cache.stats().notifications, 1u);
  }
  ASSERT_TRUE(cache.current(project_).ok());
  const uint64_t checks = cache.stats().version_checks;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(cache.current(project_).ok());
  EXPECT_EQ(cache.stats().version_checks, checks + (db_.is_sqlite() ? 10 : 0));
}

// The fallback is far away: on PostgreSQL only the notification can make the change visible in
// time; on SQLite the per-call version check does.
TEST_F(CatalogCacheTest, AChangeThroughAnotherNodeReachesTheSnapshot) {
  CatalogCache cache(*node_a_, CatalogCacheOptions{.recheck_interval = 60s});
  ASSERT_TRUE(cache.current(project_).ok());
  const std::string id = add_category(*node_b_, "from node B");
  EXPECT_TRUE(sees(cache, project_, id, 5s)) << "the change never arrived";
  if (!db_.is_sqlite()) {
    EXPECT_GE(cache.stats().notifications, 1u);
  }
}

TEST_F(CatalogCacheTest, ThePeriodicCheckCoversALostNotification) {
  CatalogCache cache(*node_a_,
                     CatalogCacheOptions{.recheck_interval = 100ms, .drop_notifications = true});
  ASSERT_TRUE(cache.current(project_).ok());
  const std::string id = add_category(*node_b_, "unannounced");
  EXPECT_TRUE(sees(cache, project_, id, 2s));
}

// A unit of work that changes a catalog table on this node marks the project changed when it
// commits: no notification, no fallback check and no caller is needed for the next call.
TEST_F(CatalogCacheTest, ALocalChangeIsSeenByTheNextCallAtOnce) {
  CatalogCache cache(*node_a_,
                     CatalogCacheOptions{.recheck_interval = 60s, .use_notifications = false});
  ASSERT_TRUE(cache.current(project_).ok());
  const std::string id = add_category(*node_a_, "local");
  auto snapshot = cache.current(project_);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE((*snapshot)->engine.categories.contains(id));
}

TEST_F(CatalogCacheTest, RefreshReadsTheVersionEvenWhenTheSnapshotIsTrusted) {
  CatalogCache cache(*node_a_,
                     CatalogCacheOptions{.recheck_interval = 60s, .use_notifications = false});
  ASSERT_TRUE(cache.current(project_).ok());
  const std::string id = add_category(*node_b_, "created elsewhere");
  auto snapshot = cache.refresh(project_);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE((*snapshot)->engine.categories.contains(id));
}

}  // namespace
}  // namespace openpromo
