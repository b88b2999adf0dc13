#!/usr/bin/env bash
# Installs what is missing (Debian packages), then configures and builds into ./build.
# Idempotent: when every package is present it installs nothing and prints nothing about it.
#   scripts/setup.sh [--for-tests | --for-bench]
#     --for-tests: warnings as errors, plus what the test suites need: a PostgreSQL server,
#     Node.js, chromium, and the npm packages of the conformance suite (the Voucherify SDK) and of
#     the end-to-end suite (puppeteer-core, axe-core).
#     --for-bench: what bench/run needs (wrk, a PostgreSQL server), built in Release into
#     ./build-release.
set -euo pipefail
cd "$(dirname "$0")/.."

werror=OFF
for_tests=0
test_packages=()
build_dir=build
build_type=()
for arg in "$@"; do
  case "$arg" in
    --for-tests)
      werror=ON
      for_tests=1
      # chromium: the dashboard's end-to-end tests drive Debian's, headless.
      test_packages=(postgresql chromium)
      # Node.js may come from elsewhere (a newer build on PATH); install Debian's only if absent.
      command -v node >/dev/null 2>&1 || test_packages+=(nodejs)
      command -v npm >/dev/null 2>&1 || test_packages+=(npm)
      ;;
    --for-bench)
      test_packages=(wrk postgresql)
      build_dir=build-release
      build_type=(-DCMAKE_BUILD_TYPE=Release)
      ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

# Boost: the versioned 1.81 packages only; the unversioned libboost-*-dev names are 1.74 and
# conflict with them (see docs/ARCHITECTURE.md).
packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev sqlite3 libssl-dev libpq-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libgeographiclib-dev libsodium-dev
  "${test_packages[@]}"
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  echo "setup.sh: installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$for_tests" -eq 1 ]; then
  # The conformance suite's locked npm packages; reinstalled only when the lock file changes.
  lock=tests/conformance/package-lock.json
  installed=tests/conformance/node_modules/.package-lock.json
  if [ ! -f "$installed" ] || [ "$lock" -nt "$installed" ]; then
    npm ci --prefix tests/conformance --no-audit --no-fund --loglevel=error >/dev/null
  fi
  # The end-to-end suite's: puppeteer-core (drives the installed chromium, downloads none) and
  # axe-core.
  lock=tests/e2e/package-lock.json
  installed=tests/e2e/node_modules/.package-lock.json
  if [ ! -f "$installed" ] || [ "$lock" -nt "$installed" ]; then
    npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error >/dev/null
  fi
fi

jobs=$(nproc)
log=$(mktemp)
if ! cmake -S . -B "$build_dir" -G Ninja "${build_type[@]}" -DOPENPROMO_WERROR="$werror" \
  -DOPENPROMO_CONFORMANCE="$([ "$for_tests" -eq 1 ] && echo ON || echo OFF)" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
cmake --build "$build_dir" -j "$jobs"
