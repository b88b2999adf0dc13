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

# The first time on a database: the demo store's sample catalog, customers and campaigns.
seeded=data/.demo-seeded
if [ ! -f "$seeded" ]; then
  build/bin/openpromo demo seed --db "$db" >/dev/null && touch "$seeded"
fi

cat <<INFO

OpenPromo API: http://$listen   (health: http://$listen/health)
  X-App-Id:    $OPENPROMO_BOOTSTRAP_APP_ID
  X-App-Token: $OPENPROMO_BOOTSTRAP_APP_TOKEN
  (kept in $credentials; stop with Ctrl-C)

Dashboard:  http://$listen/dashboard/   Demo store: http://$listen/demo/
  Create your dashboard user first (in another terminal; the password is read from stdin):
    echo 'a long password' | build/bin/openpromo users create --db $db --email you@example.com --role admin
  then sign in on the dashboard, open "Demo store", pick a customer, add "Colombia coffee beans"
  to the cart and type the code FLASH: the order recalculates and every promotion says why it
  applies or not.

INFO
exec build/bin/openpromo serve --listen "$listen" --db "$db"
