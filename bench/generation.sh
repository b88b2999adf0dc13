#!/usr/bin/env bash
# Times the creation of a campaign of N generated codes through the HTTP API, from the POST to the
# async action reporting DONE, on a fresh database.
#   bench/generation.sh [COUNT] [DB_URL]     (defaults: 1000000, a temporary SQLite file)
# Needs a built binary (scripts/setup.sh) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
db=${2:-}
# shellcheck source=bench/serve.sh
source bench/serve.sh

start=$(date +%s.%N)
action=$(curl -s "${auth[@]}" -X POST "$url/v1/campaigns" -d "{\"name\":\"bench\",\
\"campaign_type\":\"DISCOUNT_COUPONS\",\"vouchers_count\":$count,\"voucher\":{\"type\":\"DISCOUNT_VOUCHER\",\
\"discount\":{\"type\":\"AMOUNT\",\"amount_off\":500},\"code_config\":{\"pattern\":\"BEN-##########\"}}}" |
  grep -o '"async_action_id":"[^"]*"' | cut -d'"' -f4)
while :; do
  status=$(curl -s "${auth[@]}" "$url/v1/async-actions/$action" | grep -o '"status":"[A-Z_]*"' | cut -d'"' -f4)
  [ "$status" = DONE ] || [ "$status" = FAILED ] && break
  sleep 0.1
done
end=$(date +%s.%N)
printf '%s codes: %s in %.1f s (%s)\n' "$count" "$status" "$(echo "$end - $start" | bc)" "${db%%:*}"
