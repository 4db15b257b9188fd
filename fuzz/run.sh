#!/usr/bin/env bash
# Fuzzes every target for SECONDS each (default 120), two at a time, seeded from the corpus
# (testdata/corpus), the YAML 1.1 cases and testdata/. Needs a nightly toolchain and
# cargo-fuzz (cargo install cargo-fuzz). Findings land in fuzz/artifacts/<target>/; turn each
# into a regression test before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${SECONDS_EACH:-120}
rm -rf seeds && mkdir -p seeds
i=0
for f in ../testdata/corpus/*.yaml ../testdata/yaml11-cases/*.yaml ../testdata/cases/*/input.yaml ../testdata/cases/*/policy.yaml; do
  i=$((i + 1)); head -c 20000 "$f" > "seeds/s$i"
done
cargo +nightly fuzz build -O
run() { mkdir -p "corpus/$1"; cargo +nightly fuzz run -O "$1" "corpus/$1" seeds -- -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 2>&1 | tail -4; }
for pair in "split read" "edit render" "policy events"; do
  for t in $pair; do run "$t" > "/tmp/fuzz-$t.log" & done
  wait
done
for t in split read edit render policy events; do echo "== $t"; cat "/tmp/fuzz-$t.log"; done
if find artifacts -type f 2>/dev/null | grep -q .; then
  find artifacts -type f
  echo "findings above"
  exit 1
fi
echo "no findings"
