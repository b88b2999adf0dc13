#!/usr/bin/env bash
# Times exporting every code of a 1,000,000-code campaign to CSV through the HTTP API
# (POST /v1/exports until the export is DONE, then the download), records the server's peak
# memory during the export, and reads the file back with Python's csv module to check the row
# count and the columns.
#   bench/voucher_export.sh [CODES] [DB_URL]   (defaults: 1000000, a temporary SQLite file)
# Set-up, not timed: a campaign of CODES generated codes.
# Peak memory: the kernel's high-water mark (VmHWM) of a server process started after the set-up,
# so it covers start-up, the export and the download.
# Needs a built binary (scripts/setup.sh), curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
db=${2:-}
# shellcheck source=bench/serve.sh
source bench/serve.sh

fields='["code","id","voucher_type","value","discount_type","campaign","active","start_date",'\
'"expiration_date","redemption_quantity","redemption_count","created_at","metadata.batch"]'

t=$(date +%s.%N)
action=$(curl -s "${auth[@]}" -X POST "$url/v1/campaigns" -d "{\"name\":\"bench\",\
\"campaign_type\":\"DISCOUNT_COUPONS\",\"vouchers_count\":$count,\"voucher\":{\"type\":\"DISCOUNT_VOUCHER\",\
\"discount\":{\"type\":\"PERCENT\",\"percent_off\":10},\"redemption\":{\"quantity\":1},\
\"code_config\":{\"pattern\":\"EXP-##########\"}}}" | field async_action_id)
[ "$(wait_action "$action")" = DONE ] || { echo "code generation failed" >&2; exit 1; }
campaign=$(curl -s "${auth[@]}" "$url/v1/campaigns/bench" | field id)
printf 'set-up: %s codes in %.1f s; server RSS %s\n' "$count" "$(elapsed "$t")" \
  "$(grep VmRSS /proc/$pid/status | awk '{print $2 " " $3}')"

# A fresh process for the export: what generation left in memory is not the export's.
restart_server
t=$(date +%s.%N)
export_id=$(curl -s "${auth[@]}" -X POST "$url/v1/exports" -d "{\"exported_object\":\"voucher\",\
\"parameters\":{\"campaign_id\":\"$campaign\",\"fields\":$fields}}" | field id)
while :; do
  body=$(curl -s "${auth[@]}" "$url/v1/exports/$export_id")
  status=$(echo "$body" | grep -o '"status":"[A-Z_]*"' | cut -d'"' -f4)
  [ "$status" = DONE ] || [ "$status" = ERROR ] && break
  sleep 0.2
done
[ "$status" = DONE ] || { echo "export failed: $body" >&2; exit 1; }
export_seconds=$(elapsed "$t")
download=$(echo "$body" | grep -o '"url":"[^"]*"' | cut -d'"' -f4)
t=$(date +%s.%N)
curl -s -f "${auth[@]}" -o "$dir/export.csv" "$download"
download_seconds=$(elapsed "$t")
peak=$(grep VmHWM /proc/$pid/status | awk '{print $2}')
bytes=$(stat -c %s "$dir/export.csv")

python3 - "$dir/export.csv" "$count" "$fields" <<'PY'
import csv, json, sys
path, count, fields = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
with open(path, newline="", encoding="utf-8") as f:
    reader = csv.reader(f)
    header = next(reader)
    rows = 0
    codes = set()
    for row in reader:
        assert len(row) == len(header), row
        codes.add(row[0])
        rows += 1
assert len(header) == len(fields), header
assert rows == count and len(codes) == count, (rows, len(codes))
print(f"read back: {rows} rows, {len(header)} columns, every code once")
PY
printf 'export of %s codes: %.1f s to write, %.1f s to download %.1f MB; server peak RSS %.1f MB\n' \
  "$count" "$export_seconds" "$download_seconds" "$(echo "$bytes / 1000000" | bc -l)" \
  "$(echo "$peak / 1024" | bc -l)"
