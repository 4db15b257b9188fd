#!/usr/bin/env bash
# The whole test suite: the tools it needs (scripts/tools.sh), then every test target.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
exec cargo test --locked --all-targets "$@"
