#include "store/holder_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

constexpr std::string_view kColumns =
    "id, project_id, redeemable_id, redeemable_object, customer_id, holder_role, campaign_id,"
    " campaign_type, voucher_type, metadata, created_at";

constexpr std::array<sql::ListField, 9> kFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true, "id"},
    {"redeemable_id", "redeemable_id", sql::FieldType::kText, false},
    {"redeemable_object", "redeemable_object", sql::FieldType::kText, false},
    {"customer_id", "customer_id", sql::FieldType::kText, false},
    {"holder_role", "holder_role", sql::FieldType::kText, false},
    {"campaign_id", "campaign_id", sql::FieldType::kText, false},
    {"campaign_type", "campaign_type", sql::FieldType::kText, false},
    {"voucher_type", "voucher_type", sql::FieldType::kText, false},
}};
constexpr sql::ListTable kTable{
    "redeemable_holders", kColumns, kFields,
    "EXISTS (SELECT 1 FROM vouchers v WHERE v.id = redeemable_holders.redeemable_id"
    " AND v.deleted_at IS NULL)",
    "redeemable_holders.campaign_id"};

RedeemableHolder from_row(const sql::Row& r) {
  RedeemableHolder h;
  h.id = r.text(0);
  h.project_id = r.text(1);
  h.redeemable_id = r.text(2);
  h.redeemable_object = r.text(3);
  h.customer_id = r.text(4);
  h.holder_role = r.text(5);
  h.campaign_id = sql::opt_text(r, 6);
  h.campaign_type = sql::opt_text(r, 7);
  h.voucher_type = sql::opt_text(r, 8);
  h.metadata = sql::json_object(r, 9);
  h.created_at = Instant{r.integer(10)};
  return h;
}

Result<std::optional<RedeemableHolder>> first(sql::ResultSet rs) {
  if (rs.rows.empty()) return std::optional<RedeemableHolder>{};
  return std::optional<RedeemableHolder>(from_row(rs.rows[0]));
}

}  // namespace

Result<bool> HolderRepository::insert_if_new(const Scope& scope, const RedeemableHolder& h) {
  OP_ASSIGN(auto r,
            tx_.query("INSERT INTO redeemable_holders (id, project_id, redeemable_id,"
                      " redeemable_object, customer_id, holder_role, campaign_id,"
                      " campaign_type, voucher_type, metadata, created_at) VALUES (?, ?,"
                      " ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      {h.id, scope.project_id, h.redeemable_id, h.redeemable_object, h.customer_id,
                       h.holder_role, sql::opt(h.campaign_id), sql::opt(h.campaign_type),
                       sql::opt(h.voucher_type), to_json_text(h.metadata), h.created_at.millis}));
  return r.affected == 1;
}

Result<std::optional<RedeemableHolder>> HolderRepository::find(const Scope& scope,
                                                               std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) +
                                   " FROM redeemable_holders WHERE " + s.where() + " AND id = ?",
                               s.params({std::string(id)})));
  return first(std::move(rs));
}

Result<std::optional<RedeemableHolder>> HolderRepository::find_of(const Scope& scope,
                                                                  std::string_view redeemable_id,
                                                                  std::string_view customer_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs,
            tx_.query("SELECT " + std::string(kColumns) + " FROM redeemable_holders WHERE " +
                          s.where() + " AND redeemable_id = ? AND customer_id = ?",
                      s.params({std::string(redeemable_id), std::string(customer_id)})));
  return first(std::move(rs));
}

Status HolderRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r, tx_.query("DELETE FROM redeemable_holders WHERE " + s.where() + " AND id = ?",
                              s.params({std::string(id)})));
  if (r.affected == 0) return Error::not_found("redeemable_holder", std::string(id));
  return {};
}

Result<int64_t> HolderRepository::remove_of_customer(const Scope& scope,
                                                     std::string_view customer_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto r,
            tx_.query("DELETE FROM redeemable_holders WHERE " + s.where() + " AND customer_id = ?",
                      s.params({std::string(customer_id)})));
  return r.affected;
}

Result<Page<RedeemableHolder>> HolderRepository::list_of_customer(const Scope& scope,
                                                                  std::string_view customer_id,
                                                                  ListQuery query) {
  query.required.push_back(
      FilterCondition{"customer_id", FilterOp::kIs, {std::string(customer_id)}});
  return sql::list_page<RedeemableHolder>(tx_, kTable, scope, query, from_row);
}

Result<Page<RedeemableHolder>> HolderRepository::list_of_redeemable(const Scope& scope,
                                                                    std::string_view redeemable_id,
                                                                    ListQuery query) {
  query.required.push_back(
      FilterCondition{"redeemable_id", FilterOp::kIs, {std::string(redeemable_id)}});
  return sql::list_page<RedeemableHolder>(tx_, kTable, scope, query, from_row);
}

}  // namespace openpromo
