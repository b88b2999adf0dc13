// The catalog tables: the definitions the engine caches per project (service/catalog_cache.h).
//
// This list is the one place that says which tables they are. From it the store generates the
// triggers that move a project's catalog version in the writing transaction (and NOTIFY other
// nodes on PostgreSQL), and the repositories of these tables tell their unit of work that it
// changed the catalog (so this node's next validation sees the change at once). Every other
// table that holds project data is listed in kDataTables; a test checks that each table of the
// schema is in exactly one of the two lists, so a new table cannot be forgotten.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace openpromo {

struct CatalogTable {
  std::string_view name;
  // Columns whose update moves the version; empty: any update does. (Code generation updates
  // campaigns' counters and statuses, which no snapshot reads.)
  std::string_view update_columns = {};
};

inline constexpr std::array<CatalogTable, 11> kCatalogTables{{
    {"categories"},
    {"campaigns", "name, active, category_id, start_date, expiration_date, definition, deleted_at"},
    {"promotion_tiers"},
    {"promotion_stacks"},
    {"validation_rules"},
    {"validation_rule_assignments"},
    {"segments"},
    {"product_collections"},
    {"stacking_rules"},
    {"locations", "shape"},    // the snapshot compiles shapes; names are only shown
    {"campaign_assignments"},  // who may use a campaign (validation checks it on the snapshot)
}};

// Tables of the schema that are not catalog definitions.
inline constexpr std::array<std::string_view, 34> kDataTables{{
    "schema_migrations",
    "store_settings",
    "projects",
    "api_keys",
    "oauth_tokens",
    "dashboard_users",
    "dashboard_sessions",
    "validation_counts",
    "areas",
    "area_stores",
    "key_assignments",
    "catalog_versions",
    "vouchers",
    "async_actions",
    "voucher_transactions",
    "customers",
    "products",
    "skus",
    "orders",
    "segment_customers",
    "customer_activities",
    "metadata_schemas",
    "outbox_events",
    "redemptions",
    "redemption_rollbacks",
    "usage_counters",
    "session_locks",
    "idempotency_keys",
    "publications",
    "redeemable_holders",
    "bin_entries",
    "audit_entries",
    "exports",
    "campaign_templates",
}};

// The SQL that (re)creates the version triggers of `table` on `dialect` ("sqlite" or
// "postgresql"). Idempotent: SQLite drops and recreates, PostgreSQL uses CREATE OR REPLACE.
std::string catalog_trigger_sql(std::string_view dialect, const CatalogTable& table);

}  // namespace openpromo
