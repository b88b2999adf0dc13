#!/usr/bin/env bash
# Install what is missing, build with warnings as errors, and run every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --werror
ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 600
