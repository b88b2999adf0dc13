// Where the in-process suites start: the database of the backend under test, migrated, and its
// default project. Header-only: it needs the store and the key service, which the support
// library does not link.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "model/project.h"
#include "service/key_service.h"
#include "store/store.h"
#include "support/test_database.h"

namespace openpromo::testing {

// Call as ASSERT_NO_FATAL_FAILURE(open_migrated(db_, store_, project_)).
inline void open_migrated(const TestDatabase& db, std::unique_ptr<Store>& store, Project& project) {
  auto opened = Store::open(db.url(), StoreOptions{});
  ASSERT_TRUE(opened.ok()) << opened.error().details;
  store = std::move(*opened);
  ASSERT_TRUE(store->migrate().ok());
  auto found = KeyService(*store).ensure_default_project();
  ASSERT_TRUE(found.ok()) << found.error().details;
  project = *found;
}

}  // namespace openpromo::testing
