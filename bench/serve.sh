# Sourced by the HTTP benchmark scripts: starts build/bin/openpromo ($OPENPROMO_BIN if set) on a free loopback port with a
# bootstrap key, on $db (default: a temporary SQLite file in $dir), and stops it on exit.
# Sets: dir (a temporary directory), db, pid, url, auth (curl header arguments); defines field,
# elapsed and wait_action.
# `restart_server` stops it and starts a fresh process on the same database (a new pid and url).
dir=$(mktemp -d)
db=${db:-sqlite:$dir/bench.db}
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
start_server() {
  rm -f "$dir/out"
  OPENPROMO_BOOTSTRAP_APP_ID=bench OPENPROMO_BOOTSTRAP_APP_TOKEN=bench \
    "${OPENPROMO_BIN:-build/bin/openpromo}" serve --listen 127.0.0.1:0 --db "$db" --exports-dir "$dir/exports" \
    >"$dir/out" 2>/dev/null &
  pid=$!
  until grep -q 'listening on' "$dir/out" 2>/dev/null; do sleep 0.05; done
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/out" | head -n 1)
}
restart_server() {
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  start_server
}
start_server
auth=(-H 'X-App-Id: bench' -H 'X-App-Token: bench' -H 'Content-Type: application/json')

# Helpers the benchmark scripts share.
field() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | cut -d'"' -f4; }  # a string field of a JSON body
elapsed() { echo "$(date +%s.%N) - $1" | bc; }                           # seconds since $1
# Polls an async action until DONE or FAILED; prints the final status.
wait_action() {
  local status
  while :; do
    status=$(curl -s "${auth[@]}" "$url/v1/async-actions/$1" | grep -o '"status":"[A-Z_]*"' | cut -d'"' -f4)
    [ "$status" = DONE ] || [ "$status" = FAILED ] && break
    sleep 0.1
  done
  echo "$status"
}
