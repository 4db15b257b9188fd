#!/bin/sh
# Helm 4 plugin install/update hook: puts the svcpolicy binary at $HELM_PLUGIN_DIR/bin/svcpolicy,
# building it with cargo unless a prebuilt one is already there.
set -eu
cd "${HELM_PLUGIN_DIR:?this script runs as a Helm plugin hook}"
if [ -x bin/svcpolicy ]; then
  exit 0
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "svcpolicy: building the plugin needs cargo (https://rustup.rs); or put a prebuilt svcpolicy binary at $HELM_PLUGIN_DIR/bin/svcpolicy" >&2
  exit 1
fi
echo "svcpolicy: building the binary with cargo (first install only)..." >&2
cargo build --release --locked --quiet
mkdir -p bin
cp target/release/svcpolicy bin/svcpolicy
