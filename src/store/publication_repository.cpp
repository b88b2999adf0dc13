#include "store/publication_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/row_codec.h"
#include "store/scope_sql.h"

namespace openpromo {
namespace {

constexpr std::string_view kColumns =
    "id, project_id, source_id, request_hash, customer_id, campaign_id, channel, result,"
    " voucher_ids, metadata, created_at";

constexpr std::array<sql::ListField, 10> kFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
    {"customer_id", "customer_id", sql::FieldType::kText, false},
    {"campaign_id", "campaign_id", sql::FieldType::kText, false},
    {"channel", "channel", sql::FieldType::kText, false},
    {"result", "result", sql::FieldType::kText, false},
    {"source_id", "source_id", sql::FieldType::kText, false},
    {"voucher_type", "voucher_type", sql::FieldType::kText, false},
    {"is_referral_code", "is_referral_code", sql::FieldType::kBoolean, false},
    {"vouchers_key", "vouchers_key", sql::FieldType::kText, false},
}};
constexpr sql::ListTable kTable{"publications", kColumns, kFields, {}, "publications.campaign_id"};

Publication from_row(const sql::Row& r) {
  Publication p;
  p.id = r.text(0);
  p.project_id = r.text(1);
  p.source_id = sql::opt_text(r, 2);
  p.request_hash = r.text(3);
  p.customer_id = r.text(4);
  p.campaign_id = sql::opt_text(r, 5);
  p.channel = r.text(6);
  p.result = r.text(7);
  if (auto ids = parse_json_text(r.text(8)); ids.ok() && ids->is_array()) {
    for (const auto& id : ids->as_array()) {
      if (id.is_string()) p.voucher_ids.emplace_back(id.as_string());
    }
  }
  p.metadata = sql::json_object(r, 9);
  p.created_at = Instant{r.integer(10)};
  return p;
}

// The stored voucher_ids (JSON) and vouchers_key (",id,code,...,") of a publication's codes.
std::pair<std::string, std::string> vouchers_columns(const Publication& p,
                                                     const std::vector<std::string>& codes) {
  JsonArray ids;
  std::string key = ",";
  for (size_t i = 0; i < p.voucher_ids.size(); ++i) {
    ids.emplace_back(p.voucher_ids[i]);
    key += p.voucher_ids[i] + ",";
    if (i < codes.size()) key += codes[i] + ",";
  }
  return {to_json_text(Json(std::move(ids))), key};
}

}  // namespace

Status PublicationRepository::insert_given(const Scope& scope, const Publication& p,
                                           const std::vector<std::string>& voucher_codes,
                                           const std::optional<std::string>& voucher_type,
                                           bool is_referral_code) {
  auto [ids, key] = vouchers_columns(p, voucher_codes);
  OP_TRY(
      tx_.query("INSERT INTO publications (id, project_id, source_id, request_hash,"
                " customer_id, campaign_id, channel, result, voucher_ids, vouchers_key,"
                " voucher_type, is_referral_code, metadata, created_at, api_key_id,"
                " area_store_id) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                {p.id, scope.project_id, p.request_hash, p.customer_id, sql::opt(p.campaign_id),
                 p.channel, p.result, std::move(ids), std::move(key), sql::opt(voucher_type),
                 sql::flag(is_referral_code), to_json_text(p.metadata), p.created_at.millis,
                 sql::opt(p.api_key_id), sql::opt(p.area_store_id)}));
  return {};
}

Result<bool> PublicationRepository::insert_if_new(const Scope& scope, const Publication& p) {
  OP_ASSIGN(auto r,
            tx_.query("INSERT INTO publications (id, project_id, source_id, request_hash,"
                      " customer_id, campaign_id, channel, result, voucher_ids, vouchers_key,"
                      " voucher_type, is_referral_code, metadata, created_at, api_key_id,"
                      " area_store_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ',', NULL, 0, ?, ?,"
                      " ?, ?) ON CONFLICT DO NOTHING",
                      {p.id, scope.project_id, sql::opt(p.source_id), p.request_hash, p.customer_id,
                       sql::opt(p.campaign_id), p.channel, p.result, to_json_text(p.metadata),
                       p.created_at.millis, sql::opt(p.api_key_id), sql::opt(p.area_store_id)}));
  return r.affected == 1;
}

Status PublicationRepository::set_vouchers(const Scope& scope, const Publication& p,
                                           const std::vector<std::string>& voucher_codes,
                                           const std::optional<std::string>& voucher_type,
                                           bool is_referral_code) {
  auto [ids, key] = vouchers_columns(p, voucher_codes);
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{std::move(ids), std::move(key), sql::opt(voucher_type),
                                 sql::flag(is_referral_code)};
  s.bind(params);
  params.emplace_back(p.id);
  OP_ASSIGN(auto r, tx_.query("UPDATE publications SET voucher_ids = ?, vouchers_key = ?,"
                              " voucher_type = ?, is_referral_code = ? WHERE " +
                                  s.where() + " AND id = ?",
                              params));
  if (r.affected != 1) return Error::internal("publication " + p.id + " vanished");
  return {};
}

Result<std::optional<Publication>> PublicationRepository::find_by_source(
    const Scope& scope, std::string_view source_id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM publications WHERE " +
                                   s.where() + " AND source_id = ?",
                               s.params({std::string(source_id)})));
  if (rs.rows.empty()) return std::optional<Publication>{};
  return std::optional<Publication>(from_row(rs.rows[0]));
}

Result<Page<Publication>> PublicationRepository::list(const Scope& scope,
                                                      const PublicationFilter& filter,
                                                      const ListQuery& query) {
  ListQuery q = query;
  auto is = [&](const char* field, const std::optional<std::string>& value) {
    if (value) q.required.push_back(FilterCondition{field, FilterOp::kIs, {*value}});
  };
  is("campaign_id", filter.campaign_id);
  is("customer_id", filter.customer_id);
  is("result", filter.result);
  is("voucher_type", filter.voucher_type);
  is("source_id", filter.source_id);
  if (filter.voucher) {
    q.required.push_back(
        FilterCondition{"vouchers_key", FilterOp::kContains, {"," + *filter.voucher + ","}});
  }
  if (filter.is_referral_code) {
    q.required.push_back(FilterCondition{
        "is_referral_code", FilterOp::kIs, {*filter.is_referral_code ? "true" : "false"}});
  }
  return sql::list_page<Publication>(tx_, kTable, scope, q, from_row);
}

}  // namespace openpromo
