// /v1/vouchers (contract tag vouchers).
#include <boost/json/object.hpp>
#include <cctype>
#include <charconv>
#include <cmath>

#include "api/app.h"
#include "api/campaign_codec.h"
#include "api/json_codec.h"
#include "api/multipart.h"

namespace openpromo::api {
namespace {

// A voucher with its validation rule assignments, as single-voucher responses show it.
Result<Reply> voucher_reply(const VoucherView& v) {
  return Reply{200, serialize(voucher_json(v))};
}

// Parses each array element as a voucher; a malformed element becomes that item's failure.
Result<std::vector<Result<VoucherInput>>> read_import(std::string_view body) {
  constexpr size_t kMaxItems = 10'000;
  OP_ASSIGN(auto items, parse_array_body(body));
  if (items.empty()) return Error::invalid_payload("the array of vouchers to import is empty");
  if (items.size() > kMaxItems) {
    return Error::invalid_payload("import at most " + std::to_string(kMaxItems) +
                                  " vouchers per request");
  }
  std::vector<Result<VoucherInput>> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    if (!item.is_object()) {
      out.emplace_back(Error::invalid_payload("each imported voucher must be an object"));
    } else {
      out.push_back(read_voucher_input(item.as_object()));
    }
  }
  return out;
}

// One CSV row -> a voucher. Columns (header names, case-insensitive): Code, Voucher Type,
// Discount Type, Value, Unit Type, Category, Start Date, Expiration Date, Redemption Limit,
// Active, Additional Info; any other column becomes a metadata string. Value is in the API's
// units: minor currency units for amounts and gift cards, percent for PERCENT, points for
// loyalty cards.
Result<VoucherInput> voucher_from_csv(const std::vector<std::string>& header,
                                      const std::vector<std::string>& row) {
  boost::json::object o;
  boost::json::object metadata;
  std::string voucher_type = "DISCOUNT_VOUCHER";
  std::string discount_type;
  std::string value;
  std::string unit_type;
  for (size_t i = 0; i < header.size() && i < row.size(); ++i) {
    const std::string& key = header[i];
    const std::string& cell = row[i];
    if (cell.empty()) continue;
    if (key == "code") {
      o["code"] = cell;
    } else if (key == "voucher_type" || key == "type") {
      voucher_type = cell;
    } else if (key == "discount_type") {
      discount_type = cell;
    } else if (key == "value") {
      value = cell;
    } else if (key == "unit_type") {
      unit_type = cell;
    } else if (key == "category") {
      o["category"] = cell;
    } else if (key == "start_date" || key == "expiration_date") {
      o[key] = cell;
    } else if (key == "redemption_limit") {
      int64_t n = 0;
      const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), n);
      if (ec != std::errc() || end != cell.data() + cell.size()) {
        return Error::invalid_payload("Redemption Limit must be an integer");
      }
      o["redemption"] = boost::json::object{{"quantity", n}};
    } else if (key == "active") {
      // TRUE / FALSE as spreadsheets write them (the reference's templates), in any case.
      std::string lower = cell;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (lower != "true" && lower != "false") {
        return Error::invalid_payload("Active must be TRUE or FALSE");
      }
      o["active"] = lower == "true";
    } else if (key == "additional_info") {
      o["additional_info"] = cell;
    } else {
      metadata[key] = cell;
    }
  }
  o["type"] = voucher_type;
  if (!metadata.empty()) o["metadata"] = std::move(metadata);
  if (!value.empty()) {
    double number = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    // Finite and within what minor units can hold: from_chars also reads "nan" and "1e300".
    if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(number) ||
        std::fabs(number) > 9.0e15) {
      return Error::invalid_payload("Value must be a number");
    }
    const bool integral = number == static_cast<double>(static_cast<int64_t>(number));
    const boost::json::value v =
        integral ? boost::json::value(static_cast<int64_t>(number)) : boost::json::value(number);
    if (voucher_type == "GIFT_VOUCHER") {
      o["gift"] = boost::json::object{{"amount", v}};
    } else if (voucher_type == "LOYALTY_CARD") {
      o["loyalty_card"] = boost::json::object{{"points", v}};
    } else {
      boost::json::object d;
      d["type"] = discount_type.empty() ? "AMOUNT" : discount_type;
      const std::string t(d["type"].as_string());
      d[t == "PERCENT" ? "percent_off"
        : t == "FIXED" ? "fixed_amount"
        : t == "UNIT"  ? "unit_off"
                       : "amount_off"] = v;
      if (!unit_type.empty()) d["unit_type"] = unit_type;
      o["discount"] = std::move(d);
    }
  }
  return read_voucher_input(o);
}

// The `file` part of a multipart upload, parsed as CSV rows of vouchers.
Result<std::vector<Result<VoucherInput>>> read_csv_import(const HttpRequest& request) {
  const auto boundary = multipart_boundary(request.header("content-type"));
  if (!boundary) {
    return Error{415,
                 "unsupported_media_type",
                 "Unsupported media type",
                 "Upload the CSV as multipart/form-data with a `file` field",
                 {},
                 {}};
  }
  OP_ASSIGN(auto parts, parse_multipart(request.body, *boundary));
  const FormPart* file = nullptr;
  for (const auto& p : parts) {
    if (p.name == "file") file = &p;
  }
  if (!file) return Error::invalid_payload("the multipart body has no `file` field");
  OP_ASSIGN(auto rows, parse_csv(file->data));
  if (rows.size() < 2)
    return Error::invalid_payload("the CSV needs a header row and at least one voucher");
  std::vector<std::string> header;
  for (const auto& h : rows[0]) header.push_back(csv_column_key(h));
  bool has_code = false;
  for (const auto& h : header) has_code = has_code || h == "code";
  if (!has_code) return Error::invalid_payload("the CSV header needs a Code column");
  std::vector<Result<VoucherInput>> out;
  size_t code_column = 0;
  while (header[code_column] != "code") ++code_column;
  for (size_t i = 1; i < rows.size(); ++i) {
    Result<VoucherInput> row = voucher_from_csv(header, rows[i]);
    if (!row.ok() && code_column < rows[i].size()) {
      // The failure entry names the row's code.
      Error e = row.error();
      e.resource_id = rows[i][code_column];
      e.resource_type = "voucher";
      row = std::move(e);
    }
    out.push_back(std::move(row));
  }
  return out;
}

Reply accepted(const std::string& async_action_id) {
  boost::json::object out;
  out["async_action_id"] = async_action_id;
  return Reply{202, serialize(out)};
}

}  // namespace

void add_import_routes(Router<Route>& router, Services& s) {
  router.add("POST", "/v1/vouchers/importCSV",
             Route{Auth::kServer,
                   [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto items, read_csv_import(ctx.request));
                     OP_ASSIGN(auto action,
                               s.vouchers.import(ctx.principal, std::move(items), std::nullopt));
                     return accepted(action);
                   },
                   true});
  router.add("POST", "/v1/campaigns/{campaignId}/importCSV",
             Route{Auth::kServer,
                   [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto items, read_csv_import(ctx.request));
                     OP_ASSIGN(auto action,
                               s.vouchers.import(ctx.principal, std::move(items),
                                                 std::string(ctx.params.get("campaignId"))));
                     Reply r = accepted(action);
                     r.status = 200;  // this operation answers 200 in the contract
                     return r;
                   },
                   true});
  router.add("POST", "/v1/vouchers/import",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto items, read_import(ctx.request.body));
                     OP_ASSIGN(auto action,
                               s.vouchers.import(ctx.principal, std::move(items), std::nullopt));
                     return accepted(action);
                   }});
  router.add("POST", "/v1/campaigns/{campaignId}/import",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto items, read_import(ctx.request.body));
                     OP_ASSIGN(auto action,
                               s.vouchers.import(ctx.principal, std::move(items),
                                                 std::string(ctx.params.get("campaignId"))));
                     return accepted(action);
                   }});
}

void add_voucher_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  // Literal paths before /v1/vouchers/{code}: "import" is not a code.
  add_import_routes(router, s);

  auto create = [&s](Context& ctx, std::optional<std::string> code) -> Result<Reply> {
    OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
    OP_ASSIGN(auto input, read_voucher_input(body));
    if (code) input.code = code;
    OP_ASSIGN(auto view, s.vouchers.create(ctx.principal, input));
    return voucher_reply(view);
  };
  router.add("POST", "/v1/vouchers", Route{Auth::kServer, [create](Context& ctx) -> Result<Reply> {
                                             return create(ctx, std::nullopt);
                                           }});
  router.add("POST", "/v1/vouchers/{code}",
             Route{Auth::kServer, [create](Context& ctx) -> Result<Reply> {
                     return create(ctx, std::string(ctx.params.get("code")));
                   }});

  router.add(
      "GET", "/v1/vouchers",
      Route{
          Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
            OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
            // Shortcut filters: campaign (name or id), campaign_id, category, customer.
            auto campaign = ctx.query.get("campaign_id");
            if (!campaign) campaign = ctx.query.get("campaign");
            if (campaign) {
              auto c = s.campaigns.get(ctx.principal, *campaign);
              // An unknown campaign matches no voucher rather than every voucher.
              query.required.push_back(FilterCondition{
                  "campaign_id", FilterOp::kIs, {c.ok() ? c->campaign.id : std::string("-")}});
            }
            if (auto category = ctx.query.get("category")) {
              query.required.push_back(FilterCondition{"category_id", FilterOp::kIs, {*category}});
            }
            if (auto customer = ctx.query.get("customer")) {
              query.required.push_back(FilterCondition{"holder_id", FilterOp::kIs, {*customer}});
            }
            OP_ASSIGN(auto page, s.vouchers.list(ctx.principal, query));
            return Reply{200, serialize(list_json(page, voucher_json, "vouchers"))};
          }});

  router.add("GET", "/v1/vouchers/{code}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto view, s.vouchers.get(ctx.principal, ctx.params.get("code")));
                     return voucher_reply(view);
                   }});

  router.add("PUT", "/v1/vouchers/{code}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto input, read_voucher_input(body));
                     OP_ASSIGN(auto view,
                               s.vouchers.update(ctx.principal, ctx.params.get("code"), input));
                     return voucher_reply(view);
                   }});

  router.add("DELETE", "/v1/vouchers/{code}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     const bool force = ctx.query.get("force").value_or("") == "true";
                     OP_TRY(s.vouchers.remove(ctx.principal, ctx.params.get("code"), force));
                     return Reply{204, ""};
                   }});

  for (const bool enable : {true, false}) {
    router.add("POST", std::string("/v1/vouchers/{code}/") + (enable ? "enable" : "disable"),
               Route{Auth::kServer, [&s, enable](Context& ctx) -> Result<Reply> {
                       OP_ASSIGN(auto view, s.vouchers.set_active(ctx.principal,
                                                                  ctx.params.get("code"), enable));
                       return voucher_reply(view);
                     }});
  }

  router.add(
      "GET", "/v1/vouchers/{code}/transactions",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
              OP_ASSIGN(auto page,
                        s.vouchers.transactions(ctx.principal, ctx.params.get("code"), query));
              return Reply{200, serialize(list_json(page, voucher_transaction_json, "data"))};
            }});

  router.add(
      "GET", "/v1/campaigns/{campaignId}/transactions",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
              OP_ASSIGN(auto page, s.vouchers.campaign_transactions(
                                       ctx.principal, ctx.params.get("campaignId"), query));
              return Reply{200, serialize(list_json(page, voucher_transaction_json, "data"))};
            }});

  router.add("POST", "/v1/vouchers/{code}/balance",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     BalanceChange change;
                     OP_ASSIGN(auto amount, read_integer(body, "amount"));
                     if (!amount) return Error::invalid_payload("amount is required");
                     change.amount = *amount;
                     OP_ASSIGN(change.source_id, read_string(body, "source_id"));
                     OP_ASSIGN(change.reason, read_string(body, "reason"));
                     OP_ASSIGN(auto view, s.vouchers.adjust_balance(
                                              ctx.principal, ctx.params.get("code"), change));
                     return Reply{200, serialize(balance_json(view, change.amount))};
                   }});
}

}  // namespace openpromo::api
