#include "store/store.h"

#include <gtest/gtest.h>

#include <random>

#include "core/crypto.h"
#include "service/key_service.h"
#include "service/redemption_service.h"
#include "store/area_repository.h"
#include "store/campaign_repository.h"
#include "store/catalog_repository.h"
#include "store/catalog_tables.h"
#include "store/category_repository.h"
#include "store/order_repository.h"
#include "store/project_repository.h"
#include "store/redemption_repository.h"
#include "store/scope_sql.h"
#include "store/segment_repository.h"
#include "store/validation_rule_repository.h"
#include "support/migrated_store.h"
#include "support/test_database.h"

namespace openpromo {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(testing::open_migrated(db_, store_, project_));
    scope_ = Scope::of_project(project_.id);
  }

  // Runs `f(tx)` in a write unit and commits (what a use case does).
  template <class F>
  auto write(F f) {
    return store_->in_write(f);
  }
  template <class F>
  auto read(F f) {
    return store_->in_snapshot(f);
  }
  Result<std::optional<Category>> find_category(const Scope& scope, const std::string& id) {
    return read([&](UnitOfWork& tx) { return CategoryRepository(tx).find(scope, id); });
  }
  Result<Page<Category>> list_categories(const Scope& scope, const ListQuery& q) {
    return read([&](UnitOfWork& tx) { return CategoryRepository(tx).list(scope, q); });
  }
  Result<Category> update_category(const Scope& scope, const std::string& id,
                                   const CategoryDraft& d, Instant at) {
    return write([&](UnitOfWork& tx) { return CategoryRepository(tx).update(scope, id, d, at); });
  }
  Status delete_category(const Scope& scope, const std::string& id) {
    return write([&](UnitOfWork& tx) { return CategoryRepository(tx).remove(scope, id); });
  }
  Status insert_category(const Category& c) {
    return write([&](UnitOfWork& tx) { return CategoryRepository(tx).insert(scope_, c); });
  }

  Category make(const std::string& name, int64_t hierarchy, int64_t created_ms) {
    Category c;
    c.id = new_id("cat_");
    c.project_id = project_.id;
    c.name = name;
    c.hierarchy = hierarchy;
    c.created_at = Instant{created_ms};
    EXPECT_TRUE(insert_category(c).ok());
    return c;
  }

  std::vector<std::string> names(const ListQuery& q) {
    auto page = list_categories(scope_, q);
    EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().details);
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& c : page->items) out.push_back(c.name);
    }
    return out;
  }

  testing::TestDatabase db_;
  std::unique_ptr<Store> store_;
  Project project_;
  Scope scope_;
};

using Names = std::vector<std::string>;

TEST_F(StoreTest, MigrationsAreIdempotent) {
  EXPECT_TRUE(store_->migrate().ok());
  EXPECT_TRUE(store_->migrate().ok());
  EXPECT_EQ(store_->schema_version().value(), store_->latest_schema_version());
}

TEST_F(StoreTest, DefaultProjectIsCreatedOnce) {
  auto again = KeyService(*store_).ensure_default_project();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, project_.id);
  EXPECT_TRUE(project_.case_sensitive_codes);
  EXPECT_EQ(project_.time_zone, "UTC");
  auto found = read([&](UnitOfWork& tx) { return ProjectRepository(tx).find(scope_); });
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->name, "Default project");
}

TEST_F(StoreTest, CategoryLifecycle) {
  Category c = make("First", 1, 1000);
  auto found = find_category(scope_, c.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->name, "First");
  EXPECT_FALSE((*found)->updated_at);

  auto updated = update_category(scope_, c.id, CategoryDraft{"Renamed", 7}, Instant{2000});
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->name, "Renamed");
  found = find_category(scope_, c.id);
  EXPECT_EQ((*found)->name, "Renamed");
  EXPECT_EQ((*found)->hierarchy, 7);
  EXPECT_EQ((*found)->updated_at->millis, 2000);
  // Absent fields keep their value.
  updated = update_category(scope_, c.id, CategoryDraft{std::nullopt, 9}, Instant{3000});
  EXPECT_EQ(updated->name, "Renamed");
  EXPECT_EQ(updated->hierarchy, 9);
  EXPECT_EQ(
      update_category(scope_, "cat_missing", CategoryDraft{"x", 1}, Instant{3000}).error().code,
      404);

  ASSERT_TRUE(delete_category(scope_, c.id).ok());
  EXPECT_FALSE(find_category(scope_, c.id)->has_value());
  auto again = delete_category(scope_, c.id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, 404);
  EXPECT_EQ(again.error().key, "not_found");
}

TEST_F(StoreTest, CategoryNamesAreUniquePerProject) {
  make("Summer", 1, 1000);
  Category dup;
  dup.id = new_id("cat_");
  dup.project_id = project_.id;
  dup.name = "Summer";
  dup.created_at = Instant{2000};
  auto r = insert_category(dup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 409);
  EXPECT_EQ(r.error().key, "duplicate_found");

  Category other = make("Winter", 2, 3000);
  auto renamed =
      update_category(scope_, other.id, CategoryDraft{"Summer", std::nullopt}, Instant{4000});
  ASSERT_FALSE(renamed.ok());
  EXPECT_EQ(renamed.error().key, "duplicate_found");
}

TEST_F(StoreTest, OtherProjectsSeeNothing) {
  Category c = make("Mine", 1, 1000);
  EXPECT_FALSE(find_category(Scope::of_project("proj_other"), c.id)->has_value());
  auto page = list_categories(Scope::of_project("proj_other"), ListQuery{});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 0);
  EXPECT_FALSE(delete_category(Scope::of_project("proj_other"), c.id).ok());
  EXPECT_TRUE(find_category(scope_, c.id)->has_value());
}

TEST_F(StoreTest, ListOrdersAndPages) {
  make("a", 3, 1000);
  make("b", 1, 2000);
  make("c", 2, 3000);
  make("d", 5, 4000);
  make("e", 4, 5000);

  ListQuery q;
  EXPECT_EQ(names(q), (Names{"a", "b", "c", "d", "e"}));
  q.descending = true;
  EXPECT_EQ(names(q), (Names{"e", "d", "c", "b", "a"}));
  q.order_field = "hierarchy";
  q.descending = false;
  EXPECT_EQ(names(q), (Names{"b", "c", "a", "e", "d"}));

  ListQuery paged;
  paged.limit = 2;
  paged.page = 2;
  auto page = list_categories(scope_, paged);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 5);
  EXPECT_TRUE(page->has_more);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].name, "c");
  paged.page = 3;
  page = list_categories(scope_, paged);
  EXPECT_EQ(page->items.size(), 1u);
  EXPECT_FALSE(page->has_more);
  paged.page = 4;
  EXPECT_TRUE(list_categories(scope_, paged)->items.empty());
}

TEST_F(StoreTest, CursorWalksEveryItemOnce) {
  for (int i = 0; i < 23; ++i) make("n" + std::to_string(i), i % 4, 1000 + (i / 3));  // ties
  for (bool descending : {false, true}) {
    ListQuery q;
    q.limit = 5;
    q.order_field = "hierarchy";
    q.descending = descending;
    std::vector<std::string> seen;
    for (int steps = 0; steps < 10; ++steps) {
      auto page = list_categories(scope_, q);
      ASSERT_TRUE(page.ok());
      EXPECT_EQ(page->total, 23);
      for (const auto& c : page->items) seen.push_back(c.id);
      if (!page->has_more) break;
      q.starting_after_id = page->items.back().id;
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen.size(), 23u);
    EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
  }
  ListQuery unknown;
  unknown.starting_after_id = "cat_missing";
  EXPECT_EQ(list_categories(scope_, unknown).error().key, "invalid_query_params");
}

TEST_F(StoreTest, Filters) {
  make("Summer 50%", 1, 1000);
  make("Summer_sale", 2, 2000);
  make("Winter", 3, 3000);
  make("Spring", 4, 4000);

  auto with = [](std::string field, FilterOp op, std::vector<std::string> values) {
    ListQuery q;
    q.filters.push_back(FilterCondition{std::move(field), op, std::move(values)});
    return q;
  };
  EXPECT_EQ(names(with("name", FilterOp::kIs, {"Winter"})), (Names{"Winter"}));
  EXPECT_EQ(names(with("name", FilterOp::kIsNot, {"Winter"})),
            (Names{"Summer 50%", "Summer_sale", "Spring"}));
  EXPECT_EQ(names(with("name", FilterOp::kIn, {"Winter", "Spring", "None"})),
            (Names{"Winter", "Spring"}));
  EXPECT_EQ(names(with("name", FilterOp::kNotIn, {"Winter", "Spring"})),
            (Names{"Summer 50%", "Summer_sale"}));
  EXPECT_EQ(names(with("name", FilterOp::kStartsWith, {"Summer"})),
            (Names{"Summer 50%", "Summer_sale"}));
  // LIKE wildcards in values are literal, and matching is case-sensitive.
  EXPECT_EQ(names(with("name", FilterOp::kEndsWith, {"50%"})), (Names{"Summer 50%"}));
  EXPECT_EQ(names(with("name", FilterOp::kContains, {"_"})), (Names{"Summer_sale"}));
  EXPECT_TRUE(names(with("name", FilterOp::kStartsWith, {"summer"})).empty());
  EXPECT_EQ(names(with("hierarchy", FilterOp::kMoreThan, {"2"})), (Names{"Winter", "Spring"}));
  EXPECT_EQ(names(with("hierarchy", FilterOp::kLessThanEqual, {"2"})),
            (Names{"Summer 50%", "Summer_sale"}));
  EXPECT_EQ(names(with("created_at", FilterOp::kMoreThanEqual, {"1970-01-01T00:00:03Z"})),
            (Names{"Winter", "Spring"}));
  EXPECT_EQ(names(with("updated_at", FilterOp::kIsUnknown, {})).size(), 0u);  // coalesced
  EXPECT_EQ(names(with("name", FilterOp::kHasValue, {})).size(), 4u);

  ListQuery either;
  either.filters_or = true;
  either.filters.push_back(FilterCondition{"name", FilterOp::kIs, {"Winter"}});
  either.filters.push_back(FilterCondition{"hierarchy", FilterOp::kIs, {"1"}});
  EXPECT_EQ(names(either), (Names{"Summer 50%", "Winter"}));

  ListQuery window;
  window.created_after = Instant{1000};
  window.created_before = Instant{4000};
  EXPECT_EQ(names(window), (Names{"Summer_sale", "Winter"}));
}

TEST_F(StoreTest, InvalidListRequestsAreClientErrors) {
  ListQuery q;
  q.order_field = "project_id";
  EXPECT_EQ(list_categories(scope_, q).error().key, "invalid_query_params");
  ListQuery f;
  f.filters.push_back(FilterCondition{"token_hash", FilterOp::kIs, {"x"}});
  EXPECT_EQ(list_categories(scope_, f).error().key, "invalid_query_params");
  ListQuery n;
  n.filters.push_back(FilterCondition{"hierarchy", FilterOp::kIs, {"one"}});
  EXPECT_EQ(list_categories(scope_, n).error().key, "invalid_query_params");
  ListQuery s;
  s.filters.push_back(FilterCondition{"hierarchy", FilterOp::kStartsWith, {"1"}});
  EXPECT_EQ(list_categories(scope_, s).error().key, "invalid_query_params");
}

TEST_F(StoreTest, UnsupportedUrlsAreRefused) {
  EXPECT_FALSE(Store::open("mysql://x", StoreOptions{}).ok());
  EXPECT_FALSE(Store::open("sqlite:", StoreOptions{}).ok());
}

}  // namespace
}  // namespace openpromo

namespace openpromo {
namespace {

// The catalog version (migration 8) moves with every committed change to what the engine caches,
// and not with code generation's bookkeeping on the campaign row.
TEST_F(StoreTest, CatalogVersionMovesWithDefinitionsOnly) {
  auto version = [&] {
    return read([&](UnitOfWork& tx) { return CatalogRepository(tx).version(scope_); }).value();
  };
  EXPECT_EQ(version(), 0);
  Category c = make("versioned", 1, 1000);
  const int64_t after_category = version();
  EXPECT_GT(after_category, 0);
  ASSERT_TRUE(update_category(scope_, c.id, CategoryDraft{std::nullopt, 3}, now_utc()).ok());
  const int64_t after_update = version();
  EXPECT_GT(after_update, after_category);

  Campaign campaign;
  campaign.id = new_id("camp_");
  campaign.project_id = project_.id;
  campaign.name = "versioned campaign";
  campaign.created_at = now_utc();
  ASSERT_TRUE(
      write([&](UnitOfWork& tx) { return CampaignRepository(tx).insert(scope_, campaign); }).ok());
  const int64_t after_campaign = version();
  EXPECT_GT(after_campaign, after_update);
  ASSERT_TRUE(
      write([&](UnitOfWork& tx) -> Status {
        OP_TRY(CampaignRepository(tx).set_generation_status(scope_, campaign.id, "IN_PROGRESS"));
        return CampaignRepository(tx).add_vouchers_count(scope_, campaign.id, 5);
      }).ok());
  EXPECT_EQ(version(), after_campaign) << "generation bookkeeping is not a definition change";
  ASSERT_TRUE(write([&](UnitOfWork& tx) {
                return CampaignRepository(tx).set_active(scope_, campaign.id, false, now_utc());
              }).ok());
  const int64_t after_disable = version();
  EXPECT_GT(after_disable, after_campaign);

  ValidationRule rule;
  rule.id = new_id("val_");
  rule.project_id = project_.id;
  rule.name = "versioned rule";
  rule.created_at = now_utc();
  ASSERT_TRUE(write([&](UnitOfWork& tx) {
                return ValidationRuleRepository(tx).insert(scope_, rule);
              }).ok());
  const int64_t after_rule = version();
  EXPECT_GT(after_rule, after_disable);
  RuleAssignment a;
  a.id = new_id("asgm_");
  a.project_id = project_.id;
  a.rule_id = rule.id;
  a.related_object_type = "campaign";
  a.related_object_id = campaign.id;
  a.created_at = now_utc();
  ASSERT_TRUE(
      write([&](UnitOfWork& tx) { return ValidationRuleRepository(tx).assign(scope_, a); }).ok());
  const int64_t after_assignment = version();
  EXPECT_GT(after_assignment, after_rule);
  ASSERT_TRUE(write([&](UnitOfWork& tx) {
                return ValidationRuleRepository(tx).remove(scope_, rule.id);
              }).ok());
  const int64_t after_rule_delete = version();
  EXPECT_GT(after_rule_delete, after_assignment);

  // Segments and collections are definitions too; orders are not.
  Segment segment;
  segment.id = new_id("seg_");
  segment.project_id = project_.id;
  segment.name = "versioned segment";
  segment.type = "static";
  segment.created_at = now_utc();
  ASSERT_TRUE(write([&](UnitOfWork& tx) {
                return SegmentRepository(tx).insert(scope_, segment, {});
              }).ok());
  const int64_t after_segment = version();
  EXPECT_GT(after_segment, after_rule_delete);
  ProductCollection collection;
  collection.id = new_id("pc_");
  collection.project_id = project_.id;
  collection.name = "versioned collection";
  collection.type = "STATIC";
  collection.created_at = now_utc();
  ASSERT_TRUE(write([&](UnitOfWork& tx) {
                return CollectionRepository(tx).insert(scope_, collection, 100);
              }).ok());
  const int64_t after_collection = version();
  EXPECT_GT(after_collection, after_segment);
  Order order;
  order.id = new_id("ord_");
  order.project_id = project_.id;
  order.created_at = now_utc();
  ASSERT_TRUE(
      write([&](UnitOfWork& tx) { return OrderRepository(tx).insert_if_new(scope_, order); }).ok());
  EXPECT_EQ(version(), after_collection) << "orders are not definitions";
  ASSERT_TRUE(
      write([&](UnitOfWork& tx) { return SegmentRepository(tx).remove(scope_, segment.id); }).ok());
  EXPECT_GT(version(), after_collection);
}

// The catalog triggers come from one list (store/catalog_tables.h): every table of the schema is
// either a catalog table, with its three version triggers, or a listed data table. A new table
// that is in neither list fails here, so it cannot be forgotten.
TEST_F(StoreTest, EveryTableIsListedAndEveryCatalogTableHasItsTriggers) {
  const bool sqlite = store_->backend() == "sqlite";
  auto rows = read([&](UnitOfWork& tx) {
    return tx.query(sqlite ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT"
                             " LIKE 'sqlite_%'"
                           : "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
  });
  ASSERT_TRUE(rows.ok());
  ASSERT_FALSE(rows->rows.empty());
  for (const auto& row : rows->rows) {
    const std::string& table = row.text(0);
    int listed = 0;
    for (const auto& t : kCatalogTables) listed += t.name == table ? 1 : 0;
    for (const auto& t : kDataTables) listed += t == table ? 1 : 0;
    EXPECT_EQ(listed, 1) << "table " << table
                         << " must be in exactly one of kCatalogTables and kDataTables";
  }
  for (const CatalogTable& t : kCatalogTables) {
    auto triggers = read([&](UnitOfWork& tx) {
      return sqlite ? tx.query(
                          "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND"
                          " tbl_name = ? AND name LIKE 'catalog_%'",
                          {std::string(t.name)})
                    : tx.query(
                          "SELECT COUNT(*) FROM pg_trigger g JOIN pg_class c ON c.oid ="
                          " g.tgrelid WHERE c.relname = ? AND g.tgname = ?",
                          {std::string(t.name), "catalog_" + std::string(t.name)});
    });
    ASSERT_TRUE(triggers.ok());
    EXPECT_EQ(triggers->rows.at(0).integer(0), sqlite ? 3 : 1) << "triggers of " << t.name;
  }
}

// A unit that changes a catalog table tells the store's listeners once it commits, and not
// before; a unit that rolls back tells nobody.
TEST_F(StoreTest, CommittedCatalogChangesReachTheListeners) {
  std::vector<std::string> heard;
  const int handle =
      store_->add_catalog_listener([&](const std::string& p) { heard.push_back(p); });
  {
    auto tx = store_->write();
    ASSERT_TRUE(tx.ok());
    Category c;
    c.id = new_id("cat_");
    c.name = "rolled back";
    c.created_at = now_utc();
    ASSERT_TRUE(CategoryRepository(*tx).insert(scope_, c).ok());
    EXPECT_TRUE(heard.empty()) << "not before the commit";
  }  // destroyed without commit: rolled back
  EXPECT_TRUE(heard.empty());
  EXPECT_FALSE(find_category(scope_, "x").value().has_value());
  make("committed", 1, 1000);
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0], project_.id);
  store_->remove_catalog_listener(handle);
}

// Every write of a unit commits together or not at all.
TEST_F(StoreTest, AUnitThatFailsWritesNothing) {
  Category first;
  first.id = new_id("cat_");
  first.name = "first of two";
  first.created_at = now_utc();
  auto outcome = write([&](UnitOfWork& tx) -> Status {
    OP_TRY(CategoryRepository(tx).insert(scope_, first));
    Category dup = first;
    dup.id = new_id("cat_");  // same name: a unique violation inside the same unit
    return CategoryRepository(tx).insert(scope_, dup);
  });
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().key, "duplicate_found");
  EXPECT_FALSE(find_category(scope_, first.id).value().has_value())
      << "the first insert rolled back with the failed one";
}

TEST_F(StoreTest, SweepingRemovesOnlyExpiredReservationsAndIdempotencyKeys) {
  const Instant now = now_utc();
  auto lock = [&](const std::string& key, int64_t expires_in) {
    SessionLock l;
    l.session_key = key;
    l.voucher_id = "v_sweep";
    l.created_at = now;
    l.expires_at = Instant{now.millis + expires_in};
    return write([&](UnitOfWork& tx) { return SessionRepository(tx).put(scope_, key, {l}); });
  };
  ASSERT_TRUE(lock("ssn_gone", -1000).ok());
  ASSERT_TRUE(lock("ssn_kept", 60'000).ok());
  auto held = read([&](UnitOfWork& tx) {
    return SessionRepository(tx).reserved(scope_, {"v_sweep"}, now, std::nullopt);
  });
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->at("v_sweep").quantity, 1) << "the expired one no longer counts, swept or not";
  ASSERT_TRUE(write([&](UnitOfWork& tx) {
                return IdempotencyRepository(tx).claim(
                    scope_, "old-key", "h", Instant{now.millis - 90'000'000}, Instant{0});
              }).ok());
  ASSERT_TRUE(write([&](UnitOfWork& tx) {
                return IdempotencyRepository(tx).claim(scope_, "new-key", "h", now, Instant{0});
              }).ok());
  auto swept = sweep_expired(*store_, now);
  ASSERT_TRUE(swept.ok()) << swept.error().details;
  EXPECT_EQ(*swept, 2);
  auto still = read([&](UnitOfWork& tx) {
    return SessionRepository(tx).reserved(scope_, {"v_sweep"}, Instant{0}, std::nullopt);
  });
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->at("v_sweep").quantity, 1) << "the live reservation stays";
  auto again = write([&](UnitOfWork& tx) {
    return IdempotencyRepository(tx).claim(scope_, "new-key", "other", now, Instant{0});
  });
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->claimed) << "a live key stays";
}

}  // namespace
}  // namespace openpromo

namespace openpromo {
namespace {

// Scope::sees / Scope::owns (the in-memory rule validation uses on the catalog snapshot) and the
// SQL predicates every repository uses give the same answer for random campaign and key
// assignments over three areas with three stores each, on the real backend.
TEST_F(StoreTest, AreaVisibilityInSqlAgreesWithTheInMemoryRule) {
  std::vector<std::string> areas;
  std::vector<std::pair<std::string, std::string>> stores;  // (area, store)
  ASSERT_TRUE(write([&](UnitOfWork& tx) -> Status {
                AreaRepository repo(tx);
                for (int a = 0; a < 3; ++a) {
                  Area area{new_id("ar_"), project_.id, "area " + std::to_string(a), now_utc(), {}};
                  OP_TRY(repo.insert(scope_, area));
                  areas.push_back(area.id);
                  for (int s = 0; s < 3; ++s) {
                    AreaStore st{new_id("ars_"), project_.id, area.id, "store", now_utc(), {}};
                    OP_TRY(repo.insert_store(scope_, st));
                    stores.emplace_back(area.id, st.id);
                  }
                }
                return {};
              }).ok());
  std::mt19937 random(20261203);
  auto pick = [&] {
    const int level = static_cast<int>(random() % 3);
    if (level == 2) {
      const auto& [area, store] = stores[random() % stores.size()];
      return AccessAssignment{area, store, false};
    }
    return AccessAssignment{areas[random() % areas.size()], "", level == 1};
  };
  auto some = [&] {
    std::vector<AccessAssignment> out;
    const int n = static_cast<int>(random() % 5);
    for (int i = 0; i < n; ++i) out.push_back(pick());
    return out;
  };
  // Campaigns as assignment rows only: the predicates read nothing else.
  std::vector<std::pair<std::string, std::vector<AccessAssignment>>> campaigns;
  ASSERT_TRUE(write([&](UnitOfWork& tx) -> Status {
                AreaRepository repo(tx);
                for (int c = 0; c < 40; ++c) {
                  const std::string id = "camp_walk" + std::to_string(c);
                  std::vector<AccessAssignment> assigned;
                  for (const AccessAssignment& a : some()) {
                    OP_ASSIGN(bool added,
                              repo.assign_campaign(
                                  scope_, StoredAssignment{new_id("arsca_"), id, a, now_utc()}));
                    if (added) assigned.push_back(a);
                  }
                  campaigns.emplace_back(id, std::move(assigned));
                }
                return {};
              }).ok());
  int seen = 0, owned = 0, checked = 0;
  for (int k = 0; k < 60; ++k) {
    const std::vector<AccessAssignment> grants = some();
    const Scope scope{project_.id, std::make_shared<const AreaGrants>(AreaGrants::of(grants))};
    for (const auto& [id, assigned] : campaigns) {
      const std::string literal = "'" + id + "'";
      const sql::Predicate visible = sql::campaign_visible(scope, literal);
      const sql::Predicate own = sql::campaign_owned(scope, literal);
      std::vector<sql::Value> params = visible.params;
      params.insert(params.end(), own.params.begin(), own.params.end());
      auto rs = read([&](UnitOfWork& tx) {
        return tx.query("SELECT CASE WHEN " + visible.sql + " THEN 1 ELSE 0 END, CASE WHEN " +
                            own.sql + " THEN 1 ELSE 0 END",
                        params);
      });
      ASSERT_TRUE(rs.ok()) << rs.error().details;
      const bool sql_sees = rs->rows.at(0).integer(0) == 1;
      const bool sql_owns = rs->rows.at(0).integer(1) == 1;
      std::string described;
      for (const auto& a : assigned) {
        described += " campaign[" + a.area_id + "/" + a.area_store_id + "/" +
                     std::to_string(a.all_stores) + "]";
      }
      for (const auto& a : grants) {
        described +=
            " key[" + a.area_id + "/" + a.area_store_id + "/" + std::to_string(a.all_stores) + "]";
      }
      if (sql_sees != scope.sees(assigned)) {
        described += "\n" + visible.sql + "\n";
        for (const auto& v : visible.params) {
          if (const auto* t = std::get_if<std::string>(&v)) described += *t + " ";
        }
      }
      EXPECT_EQ(sql_sees, scope.sees(assigned)) << "campaign " << id << " key " << k << described;
      EXPECT_EQ(sql_owns, scope.owns(assigned)) << "campaign " << id << " key " << k << described;
      seen += sql_sees;
      owned += sql_owns;
      ++checked;
    }
  }
  // The random cases reach every outcome.
  EXPECT_GT(seen, 50);
  EXPECT_GT(owned, 10);
  EXPECT_GT(checked - seen, 50);
}

}  // namespace
}  // namespace openpromo
