#include "store/migrations.h"

#include <array>

namespace openpromo {
namespace {

// Timestamps are milliseconds since the Unix epoch (BIGINT); booleans are 0/1 integers.
constexpr std::string_view kFoundation = R"sql(
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  currency TEXT NOT NULL,
  case_sensitive_codes INTEGER NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX projects_single_default ON projects (is_default) WHERE is_default = 1;

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  kind TEXT NOT NULL,
  role TEXT NOT NULL,
  app_id TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL,
  allowed_origins TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX api_keys_project ON api_keys (project_id);

CREATE TABLE categories (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  name TEXT NOT NULL,
  hierarchy BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
  UNIQUE (project_id, name)
);
CREATE INDEX categories_project_created ON categories (project_id, created_at, id);
)sql";

// Campaigns and vouchers keep the fields that limits, lists and filters read as columns and the
// rest of their definition as JSON text. Vouchers are the big table (a million codes per
// campaign), so it has few indexes: ids are time-ordered (core/crypto.h), and lists in creation
// order walk the primary key or (campaign_id, id) instead of a created_at index. The code index
// leads with the (random) code so comparisons end at the first differing byte instead of after a
// shared project id. Binned rows keep `deleted_at`: their names and codes
// stay reserved by the unique indexes until permanently deleted.
constexpr std::string_view kCampaigns = R"sql(
CREATE TABLE campaigns (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  name TEXT NOT NULL,
  description TEXT,
  campaign_type TEXT NOT NULL,
  mode TEXT NOT NULL,
  active INTEGER NOT NULL,
  category_id TEXT REFERENCES categories (id),
  start_date BIGINT,
  expiration_date BIGINT,
  join_once INTEGER NOT NULL,
  auto_join INTEGER NOT NULL,
  use_voucher_metadata_schema INTEGER NOT NULL,
  is_protected INTEGER NOT NULL,
  creation_status TEXT NOT NULL,
  vouchers_generation_status TEXT NOT NULL,
  vouchers_count BIGINT NOT NULL,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
  deleted_at BIGINT,
  UNIQUE (project_id, name)
);
CREATE INDEX campaigns_project_created ON campaigns (project_id, created_at, id);

CREATE TABLE vouchers (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  code TEXT NOT NULL,
  code_key TEXT NOT NULL,
  campaign_id TEXT REFERENCES campaigns (id),
  category_id TEXT REFERENCES categories (id),
  type TEXT NOT NULL,
  active INTEGER NOT NULL,
  start_date BIGINT,
  expiration_date BIGINT,
  redemption_quantity BIGINT,
  redeemed_quantity BIGINT NOT NULL DEFAULT 0,
  gift_amount BIGINT,
  gift_balance BIGINT,
  loyalty_points BIGINT,
  loyalty_balance BIGINT,
  holder_id TEXT,
  is_referral_code INTEGER NOT NULL,
  publish_count BIGINT NOT NULL DEFAULT 0,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
  deleted_at BIGINT,
  UNIQUE (code_key, project_id)
);
CREATE INDEX vouchers_campaign ON vouchers (campaign_id, id);

CREATE TABLE async_actions (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  operation_status TEXT,
  progress INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  result TEXT NOT NULL,
  done_count BIGINT NOT NULL,
  claimed_by TEXT,
  lease_until BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
  started_at BIGINT,
  finished_at BIGINT
);
CREATE INDEX async_actions_project_created ON async_actions (project_id, created_at, id);
CREATE INDEX async_actions_status ON async_actions (status, created_at);
)sql";

constexpr std::string_view kPromotions = R"sql(
CREATE TABLE promotion_tiers (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  campaign_id TEXT NOT NULL REFERENCES campaigns (id),
  name TEXT NOT NULL,
  banner TEXT,
  active INTEGER NOT NULL,
  hierarchy BIGINT NOT NULL,
  category_id TEXT REFERENCES categories (id),
  start_date BIGINT,
  expiration_date BIGINT,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT
);
CREATE INDEX promotion_tiers_campaign ON promotion_tiers (campaign_id, hierarchy, id);
CREATE INDEX promotion_tiers_project_created ON promotion_tiers (project_id, created_at, id);

CREATE TABLE promotion_stacks (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  campaign_id TEXT NOT NULL REFERENCES campaigns (id),
  name TEXT NOT NULL,
  tier_ids TEXT NOT NULL,
  hierarchy_mode TEXT NOT NULL,
  category_id TEXT REFERENCES categories (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT
);
CREATE INDEX promotion_stacks_campaign ON promotion_stacks (campaign_id, created_at, id);
CREATE INDEX promotion_stacks_project_created ON promotion_stacks (project_id, created_at, id);
)sql";

constexpr std::string_view kVoucherTransactions = R"sql(
CREATE TABLE voucher_transactions (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  voucher_id TEXT NOT NULL,
  campaign_id TEXT,
  source_id TEXT,
  source TEXT,
  reason TEXT,
  type TEXT NOT NULL,
  amount BIGINT NOT NULL,
  balance_after BIGINT NOT NULL,
  total_after BIGINT NOT NULL,
  related_transaction_id TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX voucher_transactions_voucher ON voucher_transactions (voucher_id, id);
)sql";

// source_id is NULL for customers created without one; unique indexes allow many NULLs on both
// backends.
constexpr std::string_view kCustomers = R"sql(
CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  source_id TEXT,
  name TEXT,
  description TEXT,
  email TEXT,
  phone TEXT,
  birthdate TEXT,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
  UNIQUE (project_id, source_id)
);
CREATE INDEX customers_project_created ON customers (project_id, created_at, id);
)sql";

constexpr std::string_view kProducts = R"sql(
CREATE TABLE products (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  source_id TEXT,
  name TEXT,
  price BIGINT,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
  UNIQUE (project_id, source_id)
);
CREATE TABLE skus (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  product_id TEXT NOT NULL REFERENCES products (id),
  source_id TEXT,
  sku TEXT,
  price BIGINT,
  currency TEXT,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
  UNIQUE (project_id, source_id)
);
CREATE INDEX skus_product ON skus (product_id, id);
)sql";

// Assignments are looked up by the object they attach to on every validation.
constexpr std::string_view kValidationRules = R"sql(
CREATE TABLE validation_rules (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  context_type TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
  UNIQUE (project_id, name)
);
CREATE INDEX validation_rules_project_created ON validation_rules (project_id, created_at, id);
CREATE TABLE validation_rule_assignments (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  rule_id TEXT NOT NULL REFERENCES validation_rules (id),
  related_object_type TEXT NOT NULL,
  related_object_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (rule_id, related_object_id)
);
CREATE INDEX rule_assignments_object ON validation_rule_assignments (project_id, related_object_id);
CREATE INDEX rule_assignments_rule ON validation_rule_assignments (rule_id, created_at, id);
)sql";

// The catalog version of a project moves with every change to the definitions the engine caches
// (categories, campaigns, tiers, stacks, validation rules and assignments): triggers bump it in
// the writing transaction, so a node that reads the version before loading a snapshot can never
// keep a snapshot older than a committed change. PostgreSQL also NOTIFYs other nodes.
// Campaign columns that code generation updates (vouchers_count, statuses) do not count.
constexpr std::string_view kCatalogVersionsSqlite = R"sql(
CREATE TABLE catalog_versions (project_id TEXT PRIMARY KEY, version BIGINT NOT NULL);
CREATE TRIGGER catalog_categories_insert AFTER INSERT ON categories BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_categories_update AFTER UPDATE ON categories BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_categories_delete AFTER DELETE ON categories BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (OLD.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_campaigns_insert AFTER INSERT ON campaigns BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_campaigns_update AFTER UPDATE OF name, active, category_id, start_date, expiration_date, definition, deleted_at ON campaigns BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_campaigns_delete AFTER DELETE ON campaigns BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (OLD.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_promotion_tiers_insert AFTER INSERT ON promotion_tiers BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_promotion_tiers_update AFTER UPDATE ON promotion_tiers BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_promotion_tiers_delete AFTER DELETE ON promotion_tiers BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (OLD.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_promotion_stacks_insert AFTER INSERT ON promotion_stacks BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_promotion_stacks_update AFTER UPDATE ON promotion_stacks BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_promotion_stacks_delete AFTER DELETE ON promotion_stacks BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (OLD.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_validation_rules_insert AFTER INSERT ON validation_rules BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_validation_rules_update AFTER UPDATE ON validation_rules BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_validation_rules_delete AFTER DELETE ON validation_rules BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (OLD.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_validation_rule_assignments_insert AFTER INSERT ON validation_rule_assignments BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_validation_rule_assignments_update AFTER UPDATE ON validation_rule_assignments BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_validation_rule_assignments_delete AFTER DELETE ON validation_rule_assignments BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (OLD.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
)sql";

constexpr std::string_view kCatalogVersionsPostgresql = R"sql(
CREATE TABLE catalog_versions (project_id TEXT PRIMARY KEY, version BIGINT NOT NULL);
CREATE FUNCTION openpromo_bump_catalog() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  project TEXT;
BEGIN
  IF TG_OP = 'DELETE' THEN project := OLD.project_id; ELSE project := NEW.project_id; END IF;
  INSERT INTO catalog_versions (project_id, version) VALUES (project, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
  PERFORM pg_notify('openpromo_catalog', project);
  RETURN NULL;
END $$;
CREATE TRIGGER catalog_categories AFTER INSERT OR DELETE OR UPDATE ON categories
  FOR EACH ROW EXECUTE FUNCTION openpromo_bump_catalog();
CREATE TRIGGER catalog_campaigns AFTER INSERT OR DELETE OR UPDATE OF name, active, category_id, start_date, expiration_date, definition, deleted_at ON campaigns
  FOR EACH ROW EXECUTE FUNCTION openpromo_bump_catalog();
CREATE TRIGGER catalog_promotion_tiers AFTER INSERT OR DELETE OR UPDATE ON promotion_tiers
  FOR EACH ROW EXECUTE FUNCTION openpromo_bump_catalog();
CREATE TRIGGER catalog_promotion_stacks AFTER INSERT OR DELETE OR UPDATE ON promotion_stacks
  FOR EACH ROW EXECUTE FUNCTION openpromo_bump_catalog();
CREATE TRIGGER catalog_validation_rules AFTER INSERT OR DELETE OR UPDATE ON validation_rules
  FOR EACH ROW EXECUTE FUNCTION openpromo_bump_catalog();
CREATE TRIGGER catalog_validation_rule_assignments AFTER INSERT OR DELETE OR UPDATE ON validation_rule_assignments
  FOR EACH ROW EXECUTE FUNCTION openpromo_bump_catalog();
)sql";

// Orders (spec 16.4), segments and their static members (16.2), product collections (16.3) and
// the customer activity log (16.1, 16.6). Orders keep their lines and amounts in `definition`;
// the columns are what lists, upserts and the customer summary filter and sum on.
constexpr std::string_view kContext = R"sql(
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  source_id TEXT,
  status TEXT NOT NULL,
  customer_id TEXT,
  amount BIGINT NOT NULL,
  total_amount BIGINT NOT NULL,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
  UNIQUE (project_id, source_id)
);
CREATE INDEX orders_project_created ON orders (project_id, created_at, id);
CREATE INDEX orders_customer ON orders (project_id, customer_id, created_at);
CREATE TABLE segments (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX segments_project_created ON segments (project_id, created_at, id);
CREATE TABLE segment_customers (
  segment_id TEXT NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
  customer_id TEXT NOT NULL,
  PRIMARY KEY (segment_id, customer_id)
);
CREATE INDEX segment_customers_customer ON segment_customers (customer_id);
CREATE TABLE product_collections (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX product_collections_project_created ON product_collections (project_id, created_at, id);
CREATE TABLE customer_activities (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  customer_id TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX customer_activities_customer ON customer_activities (project_id, customer_id, created_at, id);
)sql";

// Segments and collections are catalog definitions: they move the catalog version (see
// migration 8) like the other definitions.
constexpr std::string_view kContextCatalogSqlite = R"sql(
CREATE TRIGGER catalog_segments_insert AFTER INSERT ON segments BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_segments_update AFTER UPDATE ON segments BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_segments_delete AFTER DELETE ON segments BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (OLD.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_product_collections_insert AFTER INSERT ON product_collections BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_product_collections_update AFTER UPDATE ON product_collections BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
CREATE TRIGGER catalog_product_collections_delete AFTER DELETE ON product_collections BEGIN
  INSERT INTO catalog_versions (project_id, version) VALUES (OLD.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET version = catalog_versions.version + 1;
END;
)sql";

constexpr std::string_view kContextCatalogPostgresql = R"sql(
CREATE TRIGGER catalog_segments AFTER INSERT OR DELETE OR UPDATE ON segments
  FOR EACH ROW EXECUTE FUNCTION openpromo_bump_catalog();
CREATE TRIGGER catalog_product_collections AFTER INSERT OR DELETE OR UPDATE ON product_collections
  FOR EACH ROW EXECUTE FUNCTION openpromo_bump_catalog();
)sql";

// Metadata schemas (spec 16.5): one per project and resource type.
constexpr std::string_view kMetadataSchemas = R"sql(
CREATE TABLE metadata_schemas (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  related_object TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT,
  UNIQUE (project_id, related_object)
);
)sql";

// The outbox (events written in the transaction of the change they describe, delivered after
// commit by a worker; webhooks read from it) and the store's own settings (the fingerprint of
// the generated catalog triggers, store/catalog_tables.h). The catalog triggers of migrations 8
// and 10 keep their names: Store::migrate() regenerates them from the list of catalog tables.
constexpr std::string_view kOutbox = R"sql(
CREATE TABLE outbox_events (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  type TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  group_id TEXT,
  api_key_id TEXT,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE INDEX outbox_events_pending ON outbox_events (created_at, id) WHERE delivered_at IS NULL;
CREATE INDEX outbox_events_project_created ON outbox_events (project_id, created_at, id);
CREATE INDEX outbox_events_entity ON outbox_events (project_id, entity_id);
CREATE TABLE store_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql";

// Redemptions and what they move (spec 8, 9.3-9.6): redemption and rollback rows, the typed usage
// counters limits read (engine/usage.h: one row per scope and subject with its day, week and
// month windows), session locks, the first answers to idempotent requests, and two project
// settings (the first day of a counter week; whether client keys may redeem).
constexpr std::string_view kRedemptions = R"sql(
ALTER TABLE projects ADD COLUMN week_start INTEGER NOT NULL DEFAULT 1;
ALTER TABLE projects ADD COLUMN client_redeem_enabled INTEGER NOT NULL DEFAULT 0;
CREATE TABLE redemptions (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  parent_id TEXT,
  result TEXT NOT NULL,
  status TEXT NOT NULL,
  related_object_type TEXT NOT NULL,
  related_object_id TEXT,
  campaign_id TEXT,
  customer_id TEXT,
  order_id TEXT,
  api_key_id TEXT,
  session_key TEXT,
  tracking_id TEXT,
  gift_amount BIGINT,
  discount_amount BIGINT NOT NULL,
  order_amount BIGINT NOT NULL,
  failure_code TEXT,
  failure_message TEXT,
  effects TEXT NOT NULL,
  document TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  rolled_back_at BIGINT
);
CREATE INDEX redemptions_project_created ON redemptions (project_id, created_at, id);
CREATE INDEX redemptions_parent ON redemptions (parent_id);
CREATE INDEX redemptions_object ON redemptions (project_id, related_object_id, created_at);
CREATE INDEX redemptions_campaign ON redemptions (project_id, campaign_id, created_at);
CREATE INDEX redemptions_customer ON redemptions (project_id, customer_id, created_at);
CREATE INDEX redemptions_order ON redemptions (project_id, order_id);
CREATE TABLE redemption_rollbacks (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  redemption_id TEXT NOT NULL,
  parent_id TEXT,
  result TEXT NOT NULL,
  related_object_type TEXT NOT NULL,
  campaign_id TEXT,
  reason TEXT,
  tracking_id TEXT,
  customer_id TEXT,
  gift_amount BIGINT,
  discount_amount BIGINT NOT NULL,
  order_amount BIGINT NOT NULL,
  failure_code TEXT,
  document TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX redemption_rollbacks_redemption ON redemption_rollbacks (redemption_id);
CREATE INDEX redemption_rollbacks_project_created ON redemption_rollbacks (project_id, created_at, id);
CREATE INDEX redemption_rollbacks_customer ON redemption_rollbacks (project_id, customer_id);
CREATE INDEX redemption_rollbacks_campaign ON redemption_rollbacks (project_id, campaign_id, created_at);
CREATE TABLE usage_counters (
  project_id TEXT NOT NULL REFERENCES projects (id),
  row_key TEXT NOT NULL,
  count BIGINT NOT NULL DEFAULT 0,
  customers BIGINT NOT NULL DEFAULT 0,
  order_amount BIGINT NOT NULL DEFAULT 0,
  discount_amount BIGINT NOT NULL DEFAULT 0,
  gift_amount BIGINT NOT NULL DEFAULT 0,
  day_period BIGINT NOT NULL DEFAULT 0,
  day_count BIGINT NOT NULL DEFAULT 0,
  day_customers BIGINT NOT NULL DEFAULT 0,
  week_period BIGINT NOT NULL DEFAULT 0,
  week_count BIGINT NOT NULL DEFAULT 0,
  week_customers BIGINT NOT NULL DEFAULT 0,
  month_period BIGINT NOT NULL DEFAULT 0,
  month_count BIGINT NOT NULL DEFAULT 0,
  month_customers BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, row_key)
);
CREATE TABLE session_locks (
  project_id TEXT NOT NULL REFERENCES projects (id),
  session_key TEXT NOT NULL,
  voucher_id TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  gift_credits BIGINT NOT NULL,
  loyalty_points BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, session_key, voucher_id)
);
CREATE INDEX session_locks_voucher ON session_locks (voucher_id, expires_at);
CREATE INDEX session_locks_expiry ON session_locks (expires_at);
CREATE TABLE idempotency_keys (
  project_id TEXT NOT NULL REFERENCES projects (id),
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX vouchers_holder ON vouchers (project_id, holder_id) WHERE holder_id IS NOT NULL;
CREATE INDEX voucher_transactions_campaign ON voucher_transactions (campaign_id, id);
)sql";

// The project's stacking rules (spec 10.1): at most one set per project, a catalog definition
// (its version triggers come from store/catalog_tables.h).
constexpr std::string_view kStackingRules = R"sql(
CREATE TABLE stacking_rules (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL UNIQUE REFERENCES projects (id),
  definition TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT
);
)sql";

// Publications (spec 12). `vouchers_key` is ",id,code,..." of the codes it gave, so the list's
// `voucher` filter finds a publication by any of its codes; `source_id` is unique per project
// (the same source id gives the same publication back, whatever runs at once).
constexpr std::string_view kPublications = R"sql(
CREATE TABLE publications (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  source_id TEXT,
  request_hash TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  campaign_id TEXT,
  channel TEXT NOT NULL,
  result TEXT NOT NULL,
  voucher_ids TEXT NOT NULL,
  vouchers_key TEXT NOT NULL,
  voucher_type TEXT,
  is_referral_code INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX publications_source ON publications (project_id, source_id)
  WHERE source_id IS NOT NULL;
CREATE INDEX publications_customer ON publications (project_id, customer_id, id);
CREATE INDEX publications_campaign ON publications (project_id, campaign_id, id);
CREATE INDEX vouchers_campaign_unpublished ON vouchers (campaign_id, id) WHERE holder_id IS NULL;
CREATE INDEX vouchers_holder_campaign ON vouchers (project_id, holder_id, campaign_id)
  WHERE holder_id IS NOT NULL;
ALTER TABLE projects ADD COLUMN client_publish_enabled INTEGER NOT NULL DEFAULT 0;
)sql";

// Redeemable holders (spec 12, contract "customer redeemables" and referral holders): who holds
// which code in which role. A publication makes the customer its OWNER (REFERRER for a referral
// code); the holders API adds REFEREEs to a referral code. One row per code and customer.
// Codes published before this table existed get their row here.
constexpr std::string_view kRedeemableHolders = R"sql(
CREATE TABLE redeemable_holders (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  redeemable_id TEXT NOT NULL,
  redeemable_object TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  holder_role TEXT NOT NULL,
  campaign_id TEXT,
  campaign_type TEXT,
  voucher_type TEXT,
  metadata TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX redeemable_holders_pair
  ON redeemable_holders (project_id, redeemable_id, customer_id);
CREATE INDEX redeemable_holders_customer ON redeemable_holders (project_id, customer_id, id);
CREATE INDEX redeemable_holders_redeemable ON redeemable_holders (project_id, redeemable_id, id);
INSERT INTO redeemable_holders (id, project_id, redeemable_id, redeemable_object, customer_id,
    holder_role, campaign_id, campaign_type, voucher_type, metadata, created_at)
  SELECT 'rh_' || substr(v.id, 3), v.project_id, v.id, 'voucher', v.holder_id,
         CASE WHEN v.is_referral_code <> 0 THEN 'REFERRER' ELSE 'OWNER' END,
         v.campaign_id, c.campaign_type, v.type, '{}', COALESCE(v.updated_at, v.created_at)
  FROM vouchers v LEFT JOIN campaigns c ON c.id = v.campaign_id
  WHERE v.holder_id IS NOT NULL;
)sql";

// The bin (spec 13.4): one entry per binned campaign and per voucher binned on its own (vouchers
// binned with their campaign go with its entry). Rows binned before this table existed get
// theirs here: a binned voucher is "on its own" unless its campaign went to the bin with it.
constexpr std::string_view kBinEntries = R"sql(
CREATE TABLE bin_entries (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  resource_id TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_name TEXT NOT NULL,
  resource_parent_id TEXT,
  deleted_by_user_id TEXT,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX bin_entries_resource ON bin_entries (project_id, resource_id);
CREATE INDEX bin_entries_parent ON bin_entries (project_id, resource_parent_id);
INSERT INTO bin_entries (id, project_id, resource_id, resource_type, resource_name,
    resource_parent_id, created_at)
  SELECT 'tbe_' || id, project_id, id, 'campaign', name, NULL, deleted_at
  FROM campaigns WHERE deleted_at IS NOT NULL;
INSERT INTO bin_entries (id, project_id, resource_id, resource_type, resource_name,
    resource_parent_id, created_at)
  SELECT 'tbe_' || v.id, v.project_id, v.id, 'voucher', v.code, v.campaign_id, v.deleted_at
  FROM vouchers v LEFT JOIN campaigns c ON c.id = v.campaign_id
  WHERE v.deleted_at IS NOT NULL AND (c.id IS NULL OR c.deleted_at IS NULL);
)sql";

// The audit log of campaign maintenance (ours, issue 15).
constexpr std::string_view kAuditEntries = R"sql(
CREATE TABLE audit_entries (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  campaign_id TEXT NOT NULL,
  action TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  actor_key_id TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  before_state TEXT,
  after_state TEXT,
  request_id TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX audit_entries_campaign ON audit_entries (project_id, campaign_id, id);
)sql";

// CSV exports (spec 13.5); the file itself lives in the exports directory.
constexpr std::string_view kExports = R"sql(
CREATE TABLE exports (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  exported_object TEXT NOT NULL,
  parameters TEXT NOT NULL,
  status TEXT NOT NULL,
  channel TEXT NOT NULL,
  user_id TEXT,
  token TEXT NOT NULL,
  base_url TEXT NOT NULL,
  row_count BIGINT NOT NULL DEFAULT 0,
  error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT
);
CREATE INDEX exports_project ON exports (project_id, id);
)sql";

// Campaign templates (contract tag templates).
constexpr std::string_view kCampaignTemplates = R"sql(
CREATE TABLE campaign_templates (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  name TEXT NOT NULL,
  description TEXT,
  campaign_type TEXT NOT NULL,
  config TEXT NOT NULL,
  source_campaign_id TEXT,
  source_tier_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT
);
CREATE UNIQUE INDEX campaign_templates_name ON campaign_templates (project_id, name);
)sql";

// Products and SKUs in the bin (spec 13.4).
constexpr std::string_view kProductBin = R"sql(
ALTER TABLE products ADD COLUMN deleted_at BIGINT;
ALTER TABLE skus ADD COLUMN deleted_at BIGINT;
)sql";

// OAuth 2.0 tokens (spec 4.2): issued from a key, stored as digests, 15 minutes, revocable.
constexpr std::string_view kOAuthTokens = R"sql(
CREATE TABLE oauth_tokens (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  app_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX oauth_tokens_project ON oauth_tokens (project_id, expires_at);
)sql";

// Locations (spec 15): named circles and polygons that geofencing filters check coordinates
// against.
constexpr std::string_view kLocations = R"sql(
CREATE TABLE locations (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  name TEXT NOT NULL,
  shape TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT
);
CREATE INDEX locations_project_created ON locations (project_id, created_at, id);
)sql";

// Areas and stores (spec 14): areas of a project, stores of an area, and the assignments of
// campaigns and of restricted API keys to them. An assignment is at one of three levels: the
// area itself (area_store_id NULL, all_stores 0), "all stores of the area" (all_stores 1, which
// also covers stores created later), or one store (area_store_id set, area_id its area).
// Redemptions and publications record the calling key's store for per-store reports.
constexpr std::string_view kAreas = R"sql(
CREATE TABLE areas (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT
);
CREATE INDEX areas_project_created ON areas (project_id, created_at, id);
CREATE TABLE area_stores (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  area_id TEXT NOT NULL REFERENCES areas (id),
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT
);
CREATE INDEX area_stores_area ON area_stores (project_id, area_id, created_at, id);
CREATE TABLE campaign_assignments (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  campaign_id TEXT NOT NULL,
  area_id TEXT NOT NULL REFERENCES areas (id),
  area_store_id TEXT REFERENCES area_stores (id),
  all_stores INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX campaign_assignments_unique
  ON campaign_assignments (project_id, campaign_id, area_id, COALESCE(area_store_id, ''), all_stores);
CREATE INDEX campaign_assignments_campaign ON campaign_assignments (campaign_id);
CREATE INDEX campaign_assignments_store ON campaign_assignments (project_id, area_store_id);
CREATE INDEX campaign_assignments_area ON campaign_assignments (project_id, area_id);
CREATE TABLE key_assignments (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  key_id TEXT NOT NULL REFERENCES api_keys (id),
  area_id TEXT NOT NULL REFERENCES areas (id),
  area_store_id TEXT REFERENCES area_stores (id),
  all_stores INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX key_assignments_key ON key_assignments (key_id);
CREATE INDEX key_assignments_store ON key_assignments (project_id, area_store_id);
CREATE INDEX key_assignments_area ON key_assignments (project_id, area_id);
ALTER TABLE redemptions ADD COLUMN area_store_id TEXT;
ALTER TABLE publications ADD COLUMN api_key_id TEXT;
ALTER TABLE publications ADD COLUMN area_store_id TEXT;
CREATE INDEX redemptions_store ON redemptions (project_id, area_store_id, created_at);
)sql";

// Dashboard users and their sign-in sessions (issue 20). A user acts through an API key of its
// own (`key_id`, never shown: its token is random and discarded), so a user's role and its area
// and store grants are exactly a key's. Sessions are stored as the digest of their cookie.
constexpr std::string_view kDashboardUsers = R"sql(
CREATE TABLE dashboard_users (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id),
  email TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  key_id TEXT NOT NULL REFERENCES api_keys (id),
  key_app_id TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE dashboard_sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES dashboard_users (id),
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);
)sql";

// Validations per campaign and day (issue 20): validations are not stored one by one (the
// read path stays a read), only counted, in batches.
constexpr std::string_view kValidationCounts = R"sql(
CREATE TABLE validation_counts (
  project_id TEXT NOT NULL REFERENCES projects (id),
  campaign_id TEXT NOT NULL,
  day BIGINT NOT NULL,
  validations BIGINT NOT NULL,
  succeeded BIGINT NOT NULL,
  failed BIGINT NOT NULL,
  PRIMARY KEY (project_id, campaign_id, day)
);
)sql";

constexpr std::array<Migration, 26> kMigrations{{
    {1, "foundation: projects, api keys, categories", kFoundation},
    {2, "campaigns, vouchers, async actions", kCampaigns},
    {3, "promotion tiers and stacks", kPromotions},
    {4, "voucher transactions", kVoucherTransactions},
    {5, "customers", kCustomers},
    {6, "products and SKUs", kProducts},
    {7, "validation rules and assignments", kValidationRules},
    {8, "catalog versions", kCatalogVersionsSqlite, kCatalogVersionsPostgresql},
    {9, "orders, segments, product collections, customer activity", kContext},
    {10, "segments and collections move the catalog version", kContextCatalogSqlite,
     kContextCatalogPostgresql},
    {11, "metadata schemas", kMetadataSchemas},
    {12, "outbox events, store settings", kOutbox},
    {13, "redemptions, rollbacks, usage counters, session locks, idempotency keys", kRedemptions},
    {14, "stacking rules", kStackingRules},
    {15, "publications", kPublications},
    {16, "redeemable holders", kRedeemableHolders},
    {17, "bin entries", kBinEntries},
    {18, "audit log", kAuditEntries},
    {19, "exports", kExports},
    {20, "campaign templates", kCampaignTemplates},
    {21, "products and SKUs in the bin", kProductBin},
    {22, "OAuth tokens", kOAuthTokens},
    {23, "locations", kLocations},
    {24, "areas, stores and their assignments", kAreas},
    {25, "dashboard users and sessions", kDashboardUsers},
    {26, "validation counts", kValidationCounts},
}};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

}  // namespace openpromo
