// SQLite's group commit (store/sqlite/sqlite_database.cpp): grouped write units share commits,
// every unit's commit() returns only once its writes are committed, a failing unit leaves the
// others' writes in, and a unit that does not group commits the open batch before it starts.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"

namespace openpromo {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/openpromo-group-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    // synchronous=full: the setting under which grouping saves an fsync per unit.
    auto store = Store::open("sqlite:" + dir_ + "/g.db?synchronous=full", StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.error().details;
    store_ = std::move(*store);
    ASSERT_TRUE(store_
                    ->in_write([](UnitOfWork& tx) -> Status {
                      OP_TRY(tx.query("CREATE TABLE t (name TEXT PRIMARY KEY)"));
                      OP_TRY(tx.query("CREATE TABLE c (n INTEGER NOT NULL)"));
                      OP_TRY(tx.query("INSERT INTO c VALUES (0)"));
                      return {};
                    })
                    .ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Status insert(UnitOfWork& tx, const std::string& name) {
    OP_TRY(tx.query("INSERT INTO t (name) VALUES (?)", {name}));
    OP_TRY(tx.query("UPDATE c SET n = n + 1"));
    return {};
  }
  std::vector<std::string> names() {
    auto tx = store_->snapshot();
    auto rows = tx->query("SELECT name FROM t ORDER BY name");
    std::vector<std::string> out;
    for (const auto& r : rows->rows) out.push_back(r.text(0));
    return out;
  }
  int64_t counter() {
    auto tx = store_->snapshot();
    return tx->query("SELECT n FROM c")->rows.at(0).integer(0);
  }
  // Blocks until another thread waits for the writer.
  void until_someone_waits() {
    while (store_->group_commit_stats().waiting == 0) std::this_thread::yield();
  }
  // For the other thread: blocks until the first unit holds the writer.
  static void until(const std::atomic<bool>& flag) {
    while (!flag.load()) std::this_thread::yield();
  }

  // A grouped unit on its own thread: it writes `name`, and once another unit waits for the
  // writer it commits (handing the turn over) into `outcome`, then runs `after`. Returns once
  // the unit holds the writer with its row written, so the caller's next unit queues behind it.
  std::thread first_unit(const std::string& name, Status& outcome,
                         std::function<void()> after = {}) {
    std::atomic<bool> writing{false};
    std::thread t([this, name, &outcome, &writing, after = std::move(after)] {
      auto tx = store_->grouped_write();
      ASSERT_TRUE(tx.ok());
      ASSERT_TRUE(insert(*tx, name).ok());
      writing = true;
      until_someone_waits();
      outcome = tx->commit();
      if (after) after();
    });
    until(writing);
    return t;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(GroupCommitTest, ConcurrentGroupedUnitsAllCommitInFewerCommits) {
  constexpr int kThreads = 8, kUnits = 100;
  const auto before = store_->group_commit_stats();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kUnits; ++i) {
        auto tx = store_->grouped_write();
        if (!tx.ok() || !insert(*tx, std::to_string(t) + "-" + std::to_string(i)).ok() ||
            !tx->commit().ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(names().size(), static_cast<size_t>(kThreads * kUnits));
  EXPECT_EQ(counter(), kThreads * kUnits);
  const auto after = store_->group_commit_stats();
  EXPECT_EQ(after.units - before.units, kThreads * kUnits);
  // Eight writers queue for one connection: most units ride on another's commit.
  EXPECT_LT(after.commits - before.commits, kThreads * kUnits / 2)
      << "units " << after.units - before.units << ", commits " << after.commits - before.commits;
}

TEST_F(GroupCommitTest, AFailedUnitInABatchLeavesTheOthersCommitted) {
  const auto before = store_->group_commit_stats();
  Status first_commit = Error::internal("not run");
  std::thread first = first_unit("kept", first_commit);
  {
    auto tx = store_->grouped_write();  // waits for the turn, then joins the open batch
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(insert(*tx, "dropped").ok());
    // Ends without commit (its use case failed): rolls back to its savepoint and, with nobody
    // waiting, commits the batch for the first unit.
  }
  first.join();
  EXPECT_TRUE(first_commit.ok()) << first_commit.error().details;
  EXPECT_EQ(names(), std::vector<std::string>{"kept"});
  EXPECT_EQ(counter(), 1);
  EXPECT_EQ(store_->group_commit_stats().commits - before.commits, 1);
}

TEST_F(GroupCommitTest, AUnitThatDoesNotGroupCommitsTheOpenBatchBeforeItBegins) {
  std::mutex m;
  std::condition_variable cv;
  bool first_returned = false;
  Status first_commit = Error::internal("not run");
  // Its commit hands over to the plain unit below and waits for the batch.
  std::thread first = first_unit("grouped", first_commit, [&] {
    std::lock_guard lock(m);
    first_returned = true;
    cv.notify_all();
  });
  auto tx = store_->write();
  ASSERT_TRUE(tx.ok());
  // The batch was committed when this unit began, so the first unit's commit returns while
  // this one is still open (were it waiting for this commit, the wait would time out).
  {
    std::unique_lock lock(m);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return first_returned; }));
  }
  EXPECT_EQ(names(), std::vector<std::string>{"grouped"});  // committed: another connection sees it
  ASSERT_TRUE(insert(*tx, "plain").ok());
  ASSERT_TRUE(tx->commit().ok());
  first.join();
  EXPECT_TRUE(first_commit.ok());
  EXPECT_EQ(names(), (std::vector<std::string>{"grouped", "plain"}));
}

TEST_F(GroupCommitTest, AFailedUnitReturnsOnlyOnceTheBatchItJoinedIsCommitted) {
  std::atomic<bool> third_has_turn{false};
  Status first_commit = Error::internal("not run");
  std::thread first = first_unit("read-by-the-second", first_commit);
  std::thread third;
  {
    auto tx = store_->grouped_write();  // joins the first unit's batch
    ASSERT_TRUE(tx.ok());
    // A third unit queues behind this one, and holds the turn a while once it has it.
    third = std::thread([&] {
      auto t = store_->grouped_write();
      ASSERT_TRUE(t.ok());
      third_has_turn = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      ASSERT_TRUE(insert(*t, "third").ok());
      EXPECT_TRUE(t->commit().ok());
    });
    until_someone_waits();
    // This unit fails (say, it answered from the first unit's rows): it hands the turn to the
    // third and must not return before the batch holding the first unit's rows commits.
  }
  EXPECT_TRUE(third_has_turn.load());
  EXPECT_EQ(names(), (std::vector<std::string>{"read-by-the-second", "third"}));
  first.join();
  third.join();
  EXPECT_TRUE(first_commit.ok());
}

TEST_F(GroupCommitTest, ASecondWriteUnitOnTheThreadHoldingTheWriterIsRefusedAtOnce) {
  auto outer = store_->write();
  ASSERT_TRUE(outer.ok());
  auto inner = store_->grouped_write();
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, 503);
  ASSERT_TRUE(insert(*outer, "outer").ok());
  EXPECT_TRUE(outer->commit().ok());
  EXPECT_EQ(names(), std::vector<std::string>{"outer"});
}

}  // namespace
}  // namespace openpromo
