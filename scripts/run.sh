#!/usr/bin/env bash
# Quick start: install what is missing, build, and serve the API on embedded SQLite.
#   OPENPROMO_LISTEN (default 127.0.0.1:8080) and OPENPROMO_DB (default sqlite:./data/openpromo.db)
#   are honoured. The admin credentials are created once and kept in data/credentials.env.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

mkdir -p data
credentials=data/credentials.env
if [ ! -f "$credentials" ]; then
  (
    umask 077
    printf 'OPENPROMO_BOOTSTRAP_APP_ID=%s\nOPENPROMO_BOOTSTRAP_APP_TOKEN=%s\n' \
      "$(cat /proc/sys/kernel/random/uuid)" "$(cat /proc/sys/kernel/random/uuid)" >"$credentials"
  )
fi
set -a
# shellcheck source=/dev/null
. "$credentials"
set +a

listen=${OPENPROMO_LISTEN:-127.0.0.1:8080}
db=${OPENPROMO_DB:-sqlite:./data/openpromo.db}
cat <<INFO

OpenPromo API: http://$listen   (health: http://$listen/health)
  X-App-Id:    $OPENPROMO_BOOTSTRAP_APP_ID
  X-App-Token: $OPENPROMO_BOOTSTRAP_APP_TOKEN
  (kept in $credentials; stop with Ctrl-C)

INFO
exec build/bin/openpromo serve --listen "$listen" --db "$db"
