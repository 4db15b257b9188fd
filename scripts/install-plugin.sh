#!/bin/sh
# Helm 4 plugin install/update hook (`install-plugin.sh install|update`): puts the svcpolicy binary
# at $HELM_PLUGIN_DIR/bin/svcpolicy, building it with cargo unless a prebuilt one is already there.
# Helm 4 keeps a plugin whose install hook failed (listed, but unusable, and in the way of the next
# `helm plugin install`), so a failed install removes the plugin itself: the symlink of a local
# install (the checkout stays), or Helm's own copy of a git or archive install.
set -eu
event="${1:-install}"
dir="${HELM_PLUGIN_DIR:?this script runs as a Helm plugin hook}"
cd "$dir"

fail() {
  echo "svcpolicy: $1" >&2
  if [ "$event" = install ]; then
    if [ -L "$dir" ]; then
      source_dir="$(readlink "$dir")"
      rm -f "$dir"
      where="$source_dir/bin/svcpolicy"
    elif [ -f "$dir/plugin.yaml" ] && [ -f "$dir/scripts/install-plugin.sh" ]; then
      rm -rf "$dir"
      rm -f "$(dirname "$dir")"/svcpolicy-*.tgz "$(dirname "$dir")"/svcpolicy-*.tgz.prov # Helm 4's archive copy
      where="bin/svcpolicy in the plugin's source"
    else
      where="$dir/bin/svcpolicy"
    fi
    cat >&2 <<MSG
svcpolicy: the plugin is NOT installed (its half-installed directory $dir was removed).
svcpolicy: to install it, either
svcpolicy:   - install Rust with cargo (https://rustup.rs), make sure cargo is on PATH, and run
svcpolicy:     helm plugin install again; or
svcpolicy:   - put a prebuilt svcpolicy binary at $where and run helm plugin install again.
svcpolicy: If \`helm plugin list\` still shows svcpolicy, run: helm plugin uninstall svcpolicy
MSG
  else
    cat >&2 <<MSG
svcpolicy: the plugin at $dir was not updated and has no binary. Install cargo (https://rustup.rs)
svcpolicy: and run helm plugin update svcpolicy, or put a prebuilt binary at $dir/bin/svcpolicy,
svcpolicy: or remove the plugin: helm plugin uninstall svcpolicy
MSG
  fi
  exit 1
}

if [ -x bin/svcpolicy ]; then
  exit 0
fi
if ! command -v cargo >/dev/null 2>&1; then
  fail "building the plugin needs cargo, and there is no cargo on PATH"
fi
echo "svcpolicy: building the binary with cargo (first install only)..." >&2
cargo build --release --locked --quiet || fail "cargo build failed (its messages are above)"
mkdir -p bin
cp target/release/svcpolicy bin/svcpolicy || fail "could not copy the binary to $dir/bin/svcpolicy"
