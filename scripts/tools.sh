#!/usr/bin/env bash
# Installs what the test suite needs beyond cargo, into ~/.cache/svcpolicy (outside the repo):
#   yaml2json  Go's YAML reader (go-yaml v2 through ghodss/yaml, what Helm and kubectl use),
#              built from Debian packages only, from ../shared/bench/go-yaml-check.
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
  src="${SVCPOLICY_GO_YAML_CHECK:-$here/../shared/bench/go-yaml-check}"
  [ -f "$src/main.go" ] || { echo "tools: no go-yaml-check sources at $src" >&2; exit 1; }
  need_debs golang-go golang-gopkg-yaml.v2-dev golang-github-ghodss-yaml-dev
  build=$(mktemp -d)
  cp "$src/main.go" "$build/"
  (cd "$build" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$cache/go-build" go build -o "$cache/yaml2json" .)
  rm -rf "$build"
  echo "tools: built $cache/yaml2json" >&2
fi
