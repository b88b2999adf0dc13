#!/usr/bin/env bash
# Install what is missing (PostgreSQL server, Node.js and the Voucherify SDK included), build with
# warnings as errors, start a throwaway PostgreSQL on a free loopback port, and run every test
# suite (unit, integration, SDK conformance, the dashboard's end-to-end tests in chromium) on both
# backends. Screenshots of the end-to-end tests land in build/e2e-screenshots/<backend>/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --for-tests

started=$(scripts/pg-test-server.sh start)
pg_dir=${started#* }
trap 'scripts/pg-test-server.sh stop "$pg_dir"' EXIT
export OPENPROMO_TEST_PG_URL=${started% *}

ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 600
