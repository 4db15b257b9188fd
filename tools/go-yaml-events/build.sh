#!/usr/bin/env bash
# Builds go-yaml-events (the event oracle for tests/yaml_events.rs) into the path given as the
# first argument, from go-yaml v2.4.0's own sources as Debian installs them
# (golang-gopkg-yaml.v2-dev, /usr/share/gocode/src/gopkg.in/yaml.v2) plus zz_dump.go, which
# must live inside the package to reach its unexported parser. No network: GOPATH mode.
set -euo pipefail
out=${1:?usage: build.sh OUTPUT}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
here=$(cd "$(dirname "$0")" && pwd)
src=${GO_YAML_V2_SRC:-/usr/share/gocode/src/gopkg.in/yaml.v2}
[ -f "$src/parserc.go" ] || { echo "build.sh: no go-yaml v2 sources at $src (apt-get install golang-gopkg-yaml.v2-dev)" >&2; exit 1; }
if command -v dpkg-query >/dev/null && [ "$src" = /usr/share/gocode/src/gopkg.in/yaml.v2 ]; then
  version=$(dpkg-query -W -f '${Version}' golang-gopkg-yaml.v2-dev 2>/dev/null || true)
  case "$version" in 2.4.0*) ;; *) echo "build.sh: golang-gopkg-yaml.v2-dev is '$version', the port is of 2.4.0" >&2; exit 1 ;; esac
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pkg="$tmp/src/gopkg.in/yaml.v2"
mkdir -p "$pkg" "$tmp/src/go-yaml-events"
cp "$src"/*.go "$pkg/"
rm -f "$pkg"/*_test.go
cp "$here/zz_dump.go" "$pkg/"
cp "$here/main.go" "$tmp/src/go-yaml-events/"
cd "$tmp/src/go-yaml-events"
GO111MODULE=off GOPATH="$tmp" GOFLAGS= GOCACHE="${GOCACHE:-$tmp/go-build}" go build -o "$out" .
