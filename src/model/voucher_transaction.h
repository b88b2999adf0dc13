// VoucherTransaction: one change of a gift card's credits or a loyalty card's points, with the
// balance it left (spec 5.6). Written in the same database transaction as the change itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct VoucherTransaction {
  std::string id;  // vtx_...
  std::string project_id;
  std::string voucher_id;
  std::optional<std::string> campaign_id;
  std::optional<std::string> source_id;  // the caller's idempotency-ish reference
  std::optional<std::string> source;     // "API"
  std::optional<std::string> reason;
  std::string type;  // CREDITS_ADDITION | CREDITS_REMOVAL | CREDITS_REDEMPTION | CREDITS_REFUND
  int64_t amount = 0;
  int64_t balance_after = 0;
  int64_t total_after = 0;
  std::optional<std::string> related_transaction_id;
  Instant created_at;
};

}  // namespace openpromo
