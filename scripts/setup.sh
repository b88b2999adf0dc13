#!/usr/bin/env bash
# Installs what is missing (Debian packages), then configures and builds into ./build.
# Idempotent: when every package is present it installs nothing and prints nothing about it.
#   scripts/setup.sh [--werror] [--with-postgresql-server]
set -euo pipefail
cd "$(dirname "$0")/.."

werror=OFF
server_packages=()
for arg in "$@"; do
  case "$arg" in
    --werror) werror=ON ;;
    --with-postgresql-server) server_packages=(postgresql) ;;
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
  "${server_packages[@]}"
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

jobs=$(nproc)
log=$(mktemp)
if ! cmake -S . -B build -G Ninja -DOPENPROMO_WERROR="$werror" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
cmake --build build -j "$jobs"
