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

# Helm 3 reads the same default plugins folder and fails on this plugin's v1 plugin.yaml (every
# command: `failed to load plugins: ... unknown field "apiVersion"`). Say so when it is there.
warn_if_helm3_shares_the_folder() {
  case "$(uname -s 2>/dev/null)" in
    Darwin) shared="${XDG_DATA_HOME:-$HOME/Library}/helm/plugins" ;;
    *) shared="${XDG_DATA_HOME:-$HOME/.local/share}/helm/plugins" ;;
  esac
  here="$(cd "$(dirname "$dir")" && pwd -P)"
  [ -d "$shared" ] && [ "$here" = "$(cd "$shared" && pwd -P)" ] || return 0
  for name in helm3 helm; do
    helm3="$(command -v "$name" 2>/dev/null)" || continue
    case "$("$helm3" version --short 2>/dev/null)" in
      v3.*) ;;
      *) continue ;;
    esac
    cat >&2 <<MSG
svcpolicy: warning: this plugin is in $here, where Helm 3 ($helm3) looks for
svcpolicy: plugins too, and Helm 3 cannot load it: every Helm 3 command will say 'failed to load
svcpolicy: plugins', and Helm 3's plugins stop working. To keep both Helms working, give Helm 4 a
svcpolicy: data folder of its own (docs/integrations.md, "Helm 3 and Helm 4 on one machine"):
svcpolicy:   helm plugin uninstall svcpolicy
svcpolicy:   export HELM_DATA_HOME="\$HOME/.local/share/helm4"   # for Helm 4 only, e.g. in an alias
svcpolicy:   helm plugin install <the same source>
MSG
    return 0
  done
}

if [ "$event" = install ]; then
  warn_if_helm3_shares_the_folder
fi
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
