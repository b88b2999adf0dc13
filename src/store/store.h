// Store: every read and write of persistent state, behind one interface for all backends.
//
// Store speaks domain types (model/) and ListQuery; SQL stays inside store/, and whatever differs
// between SQLite and PostgreSQL stays inside the driver (sql.h). The store never decides business
// outcomes: it applies what the service layer decided, atomically, and reports guard failures
// (not found, duplicate) as Error values.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "model/api_key.h"
#include "model/async_action.h"
#include "model/campaign.h"
#include "model/category.h"
#include "model/customer.h"
#include "model/list_query.h"
#include "model/metadata_schema.h"
#include "model/order.h"
#include "model/product.h"
#include "model/project.h"
#include "model/promotion.h"
#include "model/segment.h"
#include "model/validation_rule.h"
#include "model/voucher.h"
#include "model/voucher_transaction.h"
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

  // Campaigns. Names are unique within a project, binned campaigns included. Lookups take an id
  // or a name and never return binned campaigns.
  Status insert_campaign(const Campaign& campaign);
  Result<std::optional<Campaign>> find_campaign(std::string_view project_id,
                                                std::string_view id_or_name,
                                                bool include_binned = false);
  Status set_campaign_active(std::string_view project_id, std::string_view id, bool active,
                             Instant now);
  Result<Page<Campaign>> list_campaigns(std::string_view project_id, const ListQuery& query);
  // Writes the editable fields of an existing campaign (read-modify-write by the service).
  Status update_campaign(const Campaign& campaign);
  Status set_campaign_generation_status(std::string_view campaign_id, std::string_view status);
  Status increment_vouchers_count(std::string_view campaign_id, int64_t by);
  // Vouchers of a campaign created, and moved to the bin, within [from, to) (open ends: all).
  struct VoucherCounts {
    int64_t created = 0;
    int64_t deleted = 0;
  };
  Result<VoucherCounts> count_campaign_vouchers(std::string_view project_id,
                                                std::string_view campaign_id,
                                                std::optional<Instant> from,
                                                std::optional<Instant> to);
  // Moves the campaign and its vouchers to the bin (names and codes stay reserved), or removes
  // them for good.
  Status bin_campaign(std::string_view project_id, std::string_view id, Instant now);
  Status delete_campaign_permanently(std::string_view project_id, std::string_view id);

  // Vouchers. Codes are unique per project under its case sensitivity, binned codes included.
  Status insert_voucher(const Voucher& voucher, bool case_sensitive);
  Result<std::optional<Voucher>> find_voucher(std::string_view project_id,
                                              std::string_view code_or_id, bool case_sensitive);
  Result<Page<Voucher>> list_vouchers(std::string_view project_id, const ListQuery& query);
  Status update_voucher(const Voucher& voucher);
  Status set_voucher_active(std::string_view project_id, std::string_view id, bool active,
                            Instant now);
  Status bin_voucher(std::string_view project_id, std::string_view id, Instant now);
  Status delete_voucher_permanently(std::string_view project_id, std::string_view id);
  // Adds `tx.amount` (negative: removes) to a gift card's balance; additions also raise its
  // amount. Guarded in the database: the balance never goes below zero, whatever runs
  // concurrently. `tx` (with the resulting balance filled in) is recorded in the same database
  // transaction.
  Result<Voucher> adjust_gift_balance(std::string_view project_id, std::string_view voucher_id,
                                      VoucherTransaction tx);
  // A voucher's transactions, newest first unless the query orders otherwise.
  Result<Page<VoucherTransaction>> list_voucher_transactions(std::string_view project_id,
                                                             std::string_view voucher_id,
                                                             const ListQuery& query);

  // Async actions.
  Status insert_async_action(const AsyncAction& action);
  Result<std::optional<AsyncAction>> find_async_action(std::string_view project_id,
                                                       std::string_view id);
  Result<Page<AsyncAction>> list_async_actions(std::string_view project_id, const ListQuery& query);
  // Claims the oldest runnable action (enqueued, or in progress with an expired lease) for
  // `worker` until `lease_until`. Two workers never claim the same action.
  Result<std::optional<AsyncAction>> claim_async_action(std::string_view worker,
                                                        Instant lease_until, Instant now);
  // Makes every in-progress action claimable at once (single-node start-up after a crash).
  Status release_async_claims();
  // Records the outcome, if `worker` still holds the claim (a worker whose lease ran out and was
  // claimed by another must not overwrite that one's work): not_found otherwise.
  Status finish_async_action(const AsyncAction& action, std::string_view worker, Instant now);
  // Saves a job's progress (progress, done_count, result so far) and renews its lease, if
  // `worker` still holds the claim; error key `lease_lost` otherwise.
  Status checkpoint_async_action(const AsyncAction& action, std::string_view worker,
                                 Instant lease_until, Instant now);
  // One batch of a code-generation job, atomically: insert the vouchers that do not collide with
  // an existing code, add the inserted count to the campaign's vouchers_count and to the action's
  // done_count, renew the lease. Returns how many were inserted.
  // Fails (nothing written) when the campaign was deleted or binned meanwhile, or when `worker`
  // no longer holds the action's claim.
  Result<int64_t> commit_generated_vouchers(const std::vector<Voucher>& vouchers,
                                            bool case_sensitive, std::string_view action_id,
                                            std::string_view worker, int progress,
                                            Instant lease_until, Instant now);

  // Promotion tiers and stacks. Lists take an optional campaign.
  Status insert_tier(const PromotionTier& tier);
  Result<std::optional<PromotionTier>> find_tier(std::string_view project_id, std::string_view id);
  Result<Page<PromotionTier>> list_tiers(std::string_view project_id,
                                         const std::optional<std::string>& campaign_id,
                                         const ListQuery& query);
  Status update_tier(const PromotionTier& tier);
  Status set_tier_active(std::string_view project_id, std::string_view id, bool active,
                         Instant now);
  Status delete_tier(std::string_view project_id, std::string_view id);
  Status insert_stack(const PromotionStack& stack);
  Result<std::optional<PromotionStack>> find_stack(std::string_view project_id,
                                                   std::string_view id);
  Result<Page<PromotionStack>> list_stacks(std::string_view project_id,
                                           const std::optional<std::string>& campaign_id,
                                           const ListQuery& query);
  Status update_stack(const PromotionStack& stack);
  Status delete_stack(std::string_view project_id, std::string_view id);

  // Customers. upsert_customer is one statement: concurrent upserts of one source_id (on any
  // node) yield one customer. `draft` fields that are present overwrite; absent ones keep.
  Result<Customer> upsert_customer(std::string_view project_id, const CustomerDraft& draft,
                                   const std::string& new_id, Instant now);
  Result<std::optional<Customer>> find_customer(std::string_view project_id,
                                                std::string_view id_or_source_id);
  Result<Page<Customer>> list_customers(std::string_view project_id, const ListQuery& query);
  Result<Customer> update_customer(std::string_view project_id, std::string_view id,
                                   const CustomerDraft& draft, Instant now);
  Status delete_customer(std::string_view project_id, std::string_view id);

  // Products and SKUs. Source ids are unique per project (a unique violation comes back as
  // duplicate_found). Lookups take an id or a source id.
  Status insert_product(const Product& product);
  Result<std::optional<Product>> find_product(std::string_view project_id,
                                              std::string_view id_or_source_id);
  Result<Page<Product>> list_products(std::string_view project_id, const ListQuery& query);
  // Products / SKUs whose id or source id is among `keys` (validation resolves a cart's lines
  // in a few queries, whatever the cart's size).
  Result<std::vector<Product>> find_products(std::string_view project_id,
                                             const std::vector<std::string>& keys);
  Result<std::vector<Sku>> find_skus(std::string_view project_id,
                                     const std::vector<std::string>& keys);
  Status update_product(const Product& product);
  Status delete_product(std::string_view project_id, std::string_view id);  // and its SKUs
  Status insert_sku(const Sku& sku);
  Result<std::optional<Sku>> find_sku(std::string_view project_id,
                                      std::string_view id_or_source_id);
  Result<Page<Sku>> list_skus(std::string_view project_id, std::string_view product_id,
                              const ListQuery& query);
  // Every SKU of the project, whatever its product.
  Result<Page<Sku>> list_project_skus(std::string_view project_id, const ListQuery& query);
  Status update_sku(const Sku& sku);
  Status delete_sku(std::string_view project_id, std::string_view id);

  // Validation rules and assignments. Rule names are unique per project; an object carries a
  // rule at most once. Deleting a rule removes its assignments in the same transaction.
  Status insert_validation_rule(const ValidationRule& rule);
  Result<std::optional<ValidationRule>> find_validation_rule(std::string_view project_id,
                                                             std::string_view id);
  Result<Page<ValidationRule>> list_validation_rules(std::string_view project_id,
                                                     const ListQuery& query);
  Status update_validation_rule(const ValidationRule& rule);
  Status delete_validation_rule(std::string_view project_id, std::string_view id);
  Status insert_rule_assignment(const RuleAssignment& assignment);
  // Assignments of one rule, or (rule empty) of one related object.
  Result<Page<RuleAssignment>> list_rule_assignments(std::string_view project_id,
                                                     std::string_view rule_id,
                                                     std::string_view related_object_id,
                                                     const ListQuery& query);
  Status delete_rule_assignment(std::string_view project_id, std::string_view rule_id,
                                std::string_view assignment_id);
  // The rules assigned to any of `object_ids` (campaigns, vouchers, tiers), in one query, with
  // the object each is assigned to. Used on every validation.
  Result<std::vector<std::pair<std::string, ValidationRule>>> rules_for_objects(
      std::string_view project_id, const std::vector<std::string>& object_ids);

  // Orders. save_order inserts `draft` or, when an order with `merge.existing_id` (or the
  // draft's source_id) exists, replaces it with `merge.merge(existing)`, with the row locked, in
  // one transaction; `merge.on_saved` runs in that transaction (activity, ...).
  struct OrderMerge {
    std::optional<std::string> existing_id;  // update this order (id or source id)
    std::function<Result<Order>(const Order& existing)> merge;
    std::function<Status(sql::Connection&, const std::optional<Order>& before, const Order& after)>
        on_saved;
  };
  Result<Order> save_order(const Order& draft, const OrderMerge& merge);
  Result<std::optional<Order>> find_order(std::string_view project_id,
                                          std::string_view id_or_source_id);
  Result<Page<Order>> list_orders(std::string_view project_id, const ListQuery& query);
  Result<OrderSummary> order_summary(std::string_view project_id, std::string_view customer_id);
  // The same for many customers in two queries (customer lists); customers without PAID or
  // FULFILLED orders are absent.
  Result<std::unordered_map<std::string, OrderSummary>> order_summaries(
      std::string_view project_id, const std::vector<std::string>& customer_ids);

  // Segments; `customer_ids`: the members of a static segment.
  Status insert_segment(const Segment& segment, const std::vector<std::string>& customer_ids);
  Result<std::optional<Segment>> find_segment(std::string_view project_id, std::string_view id);
  Result<Page<Segment>> list_segments(std::string_view project_id, const ListQuery& query);
  Status delete_segment(std::string_view project_id, std::string_view id);
  // The static segments that list the customer.
  Result<std::vector<std::string>> static_segments_of(std::string_view project_id,
                                                      std::string_view customer_id);

  // The auto-update segments the customer was last recorded in (for enter/leave events), and
  // recording a change: true when this call changed the row (so one event per change, even
  // with concurrent writers).
  Result<std::vector<std::string>> recorded_segments_of(std::string_view project_id,
                                                        std::string_view customer_id);
  Result<bool> set_segment_member(std::string_view segment_id, std::string_view customer_id,
                                  bool member);

  // Product collections.
  // Refused (400 invalid_payload) when the project already has `max_per_project`.
  Status insert_collection(const ProductCollection& collection, int64_t max_per_project);
  Result<std::optional<ProductCollection>> find_collection(std::string_view project_id,
                                                           std::string_view id);
  Result<Page<ProductCollection>> list_collections(std::string_view project_id,
                                                   const ListQuery& query);
  Status delete_collection(std::string_view project_id, std::string_view id);

  // Removes the customer with its activity, orders and static segment memberships; returns
  // how many of each went (the permanent-deletion object's data_json).
  Result<JsonObject> erase_customer(std::string_view project_id, std::string_view customer_id);

  // Metadata schemas, one per resource type (`related_object`).
  Status insert_metadata_schema(const MetadataSchema& schema);  // 409 duplicate_found if taken
  Result<std::vector<MetadataSchema>> list_metadata_schemas(std::string_view project_id);
  Result<std::optional<MetadataSchema>> find_metadata_schema(std::string_view project_id,
                                                             std::string_view id_or_object);
  // Compare-and-set: writes only if the row's updated_at is still `read_updated_at` (what the
  // caller read); false when another update came first (re-read and retry).
  Result<bool> update_metadata_schema(const MetadataSchema& schema,
                                      std::optional<Instant> read_updated_at);
  Status delete_metadata_schema(std::string_view project_id, std::string_view id);

  // Customer activity log.
  Status insert_activity(const CustomerActivity& activity);
  static Status insert_activity(sql::Connection& conn, const CustomerActivity& activity);
  Result<Page<CustomerActivity>> list_activities(std::string_view project_id,
                                                 std::string_view customer_id, ListQuery query);

  // The project's catalog version: moves (by triggers) with every committed change to
  // categories, campaigns, tiers, stacks, validation rules and assignments. 0: never changed.
  Result<int64_t> catalog_version(std::string_view project_id);
  // Calls `changed(project_id)` soon after a catalog version moves, from any node, and
  // `changed(nullopt)` when changes may have been missed (after the listening connection
  // reconnects). PostgreSQL: LISTEN on the channel the version triggers NOTIFY. nullptr on SQLite,
  // which has no notifications; read catalog_version() instead.
  std::unique_ptr<sql::Subscription> watch_catalog(sql::NotificationCallback changed);
  // Every rule assignment of the project (catalog snapshots).
  Result<std::vector<RuleAssignment>> all_rule_assignments(std::string_view project_id);

 private:
  std::unique_ptr<sql::Database> db_;
};

}  // namespace openpromo
