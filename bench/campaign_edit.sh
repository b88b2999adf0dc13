#!/usr/bin/env bash
# Times campaign maintenance on a campaign of CODES generated codes through the HTTP API:
#   1. PUT new dates (they reach every code nobody holds or redeemed: past 10,000 codes the PUT
#      answers at once and its CAMPAIGN.VOUCHERS_UPDATE job applies it, one unit),
#   2. PUT a validity window with one code held (the held code keeps its window: also a job),
#   3. DELETE (to the bin) until its CAMPAIGN.VOUCHERS_DELETE action is DONE (a background job,
#      one unit).
#   bench/campaign_edit.sh [CODES] [DB_URL]   (defaults: 1000000, a temporary SQLite file)
# Needs a built binary (scripts/setup.sh) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
db=${2:-}
# shellcheck source=bench/serve.sh
source bench/serve.sh


action=$(curl -s "${auth[@]}" -X POST "$url/v1/campaigns" -d "{\"name\":\"bench\",\
\"campaign_type\":\"DISCOUNT_COUPONS\",\"vouchers_count\":$count,\"voucher\":{\"type\":\"DISCOUNT_VOUCHER\",\
\"discount\":{\"type\":\"AMOUNT\",\"amount_off\":100},\"code_config\":{\"pattern\":\"EDIT-##########\"}}}" |
  field async_action_id)
[ "$(wait_action "$action")" = DONE ] || { echo "code generation failed" >&2; exit 1; }
code=$(curl -s "${auth[@]}" "$url/v1/vouchers?campaign=bench&limit=1" | field code)
curl -s -f "${auth[@]}" -X POST "$url/v1/publications" \
  -d "{\"voucher\":\"$code\",\"customer\":{\"source_id\":\"bench-holder\"}}" >/dev/null

# A PUT whose reach is larger than 10,000 codes answers at once with a CAMPAIGN.VOUCHERS_UPDATE
# action; smaller ones are done before the answer (no async_action_id: nothing to wait for).
timed_put() {
  local label=$1 body=$2 t answered id status=DONE
  t=$(date +%s.%N)
  id=$(curl -s -f "${auth[@]}" -X PUT "$url/v1/campaigns/bench" -d "$body" |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("async_action_id", ""))')
  answered=$(elapsed "$t")
  [ -z "$id" ] || status=$(wait_action "$id")
  printf '%s: answered in %.2f s, applied (%s) after %.2f s\n' "$label" "$answered" "$status" \
    "$(elapsed "$t")"
}
timed_put "PUT dates, reaching $((count - 1)) codes" \
  '{"start_date":"2026-01-01T00:00:00Z","expiration_date":"2031-01-01T00:00:00Z"}'
timed_put "PUT validity_day_of_week (one held code keeps none)" '{"validity_day_of_week":[1,2,3,4,5]}'
t=$(date +%s.%N)
action=$(curl -s "${auth[@]}" -X DELETE "$url/v1/campaigns/bench" | field async_action_id)
answered=$(elapsed "$t")
status=$(wait_action "$action")
printf 'DELETE (bin) of %s codes: answered in %.2f s, job %s after %.2f s\n' "$count" "$answered" \
  "$status" "$(elapsed "$t")"
