#!/usr/bin/env bash
# Times publishing one code of a campaign to every customer of a 100,000-customer segment through
# the HTTP API (POST /v1/publications/bulk/async until the async action reports DONE), then checks
# in the database that every customer holds exactly one code of the campaign.
#   bench/segment_publication.sh [CUSTOMERS] [DB_URL]   (defaults: 100000, a temporary SQLite file)
# Set-up, not timed: a STATIC campaign of CUSTOMERS codes, CUSTOMERS customers through
# /v1/customers/bulk/async (10,000 per request), an auto-update segment that matches them all.
# Needs a built binary (scripts/setup.sh), curl, and sqlite3 or psql for the check.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
db=${2:-}
# shellcheck source=bench/serve.sh
source bench/serve.sh


t=$(date +%s.%N)
action=$(curl -s "${auth[@]}" -X POST "$url/v1/campaigns" -d "{\"name\":\"bench\",\"type\":\"STATIC\",\
\"campaign_type\":\"DISCOUNT_COUPONS\",\"vouchers_count\":$count,\"voucher\":{\"type\":\"DISCOUNT_VOUCHER\",\
\"discount\":{\"type\":\"AMOUNT\",\"amount_off\":500},\"code_config\":{\"pattern\":\"SEG-##########\"}}}" |
  field async_action_id)
[ "$(wait_action "$action")" = DONE ] || { echo "code generation failed" >&2; exit 1; }
printf 'set-up: %s codes in %.1f s\n' "$count" "$(elapsed "$t")"

t=$(date +%s.%N)
for ((from = 1; from <= count; from += 10000)); do
  to=$((from + 9999 < count ? from + 9999 : count))
  seq "$from" "$to" |
    awk 'BEGIN { printf "[" } { printf "%s{\"source_id\":\"bench-%d\",\"metadata\":{\"group\":\"bench\"}}", (NR > 1 ? "," : ""), $1 } END { printf "]" }' \
      >"$dir/customers.json"
  action=$(curl -s "${auth[@]}" -X POST "$url/v1/customers/bulk/async" --data-binary @"$dir/customers.json" |
    field async_action_id)
  [ "$(wait_action "$action")" = DONE ] || { echo "customer import failed" >&2; exit 1; }
done
printf 'set-up: %s customers in %.1f s\n' "$count" "$(elapsed "$t")"
segment=$(curl -s "${auth[@]}" -X POST "$url/v1/segments" -d '{"name":"everyone","type":"auto-update",
"filter":{"metadata.group":{"conditions":{"$is":["bench"]}}}}' | field id)

t=$(date +%s.%N)
action=$(curl -s "${auth[@]}" -X POST "$url/v1/publications/bulk/async" \
  -d "{\"campaign\":{\"name\":\"bench\"},\"segment\":{\"id\":\"$segment\"}}" | field async_action_id)
status=$(wait_action "$action")
seconds=$(elapsed "$t")

check="SELECT COUNT(*) || ' codes held by ' || COUNT(DISTINCT holder_id) || ' customers'
  FROM vouchers WHERE holder_id IS NOT NULL AND campaign_id = (SELECT id FROM campaigns WHERE name = 'bench')"
case "$db" in
  sqlite:*) held=$(sqlite3 "${db#sqlite:}" "$check") ;;
  *) held=$(psql -At "$db" -c "$check") ;;
esac
printf '%s customers: %s in %.1f s (%s); %s\n' "$count" "$status" "$seconds" "${db%%:*}" "$held"
