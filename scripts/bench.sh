#!/usr/bin/env bash
# Whole runs, svcpolicy against the floor (cat) and against kustomize used as a post-renderer
# (what users run today), on generated Helm 3 streams, through tools/bench/run_bench.sh
# (hyperfine medians, GNU time peak RSS). Prints the ratios.
#   scripts/bench.sh                 2,000 documents with kustomize; 20,000 without it
#   KUSTOMIZE_20K=1 scripts/bench.sh also kustomize at 20,000 documents (about 20 minutes)
# Needs hyperfine, GNU time (/usr/bin/time), python3 and kubectl (kustomize); the policy is
# all-ClusterIP, as the peers' patch is.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
out=${OUT:-$PWD/target/bench}
rm -rf "$out" && mkdir -p "$out"
policy="$out/all-clusterip.yaml"
printf 'apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - type: ClusterIP\n' > "$policy"
candidate="svcpolicy=$PWD/target/release/svcpolicy -q -p $policy"
big_tools="cat"
[ "${KUSTOMIZE_20K:-}" = 1 ] && big_tools="cat kustomize"
SIZES=2000 TOOLS="cat kustomize" RUNS=${RUNS:-10} OUT="$out" CANDIDATES="$candidate" tools/bench/run_bench.sh
SIZES=20000 TOOLS="$big_tools" RUNS=${RUNS:-10} SLOW_MAX=20000 OUT="$out" CANDIDATES="$candidate" tools/bench/run_bench.sh
# The corpus: its largest file and a large real chart, through the same three.
for f in cert-manager-crds-hostnet.yaml kube-prometheus-stack-default.yaml; do
  input="testdata/corpus/$f"
  hyperfine --runs "${RUNS:-10}" --warmup 2 --export-json "$out/corpus-$f.json" \
    --command-name "svcpolicy $f" "sh -c '$PWD/target/release/svcpolicy -q -p $policy < $input > /dev/null'" \
    --command-name "cat $f" "sh -c 'cat < $input > /dev/null'" \
    --command-name "kustomize $f" "sh -c '$PWD/tools/bench/postrenderers/kustomize.sh < $input > /dev/null 2>&1'" 2>/dev/null |
    grep -E "^Benchmark|Time \(mean" | paste - - | sed -E 's/ +/ /g'
done
python3 - "$out/summary.txt" <<'PY'
import re, sys
t = {}
for line in open(sys.argv[1]):
    name, n, median = re.match(r"(\S+) (\d+) median=([\d.]+)s", line).groups()
    t[(name, int(n))] = float(median)
for n in sorted({n for _, n in t}):
    s = t[("svcpolicy", n)]
    mb = {2000: 4.82, 20000: 49.98}.get(n)
    print(f"{n} documents: svcpolicy {s*1000:.1f} ms" + (f" ({mb/s:.0f} MB/s)" if mb else ""))
    for peer in ("cat", "kustomize"):
        if (peer, n) in t:
            p = t[(peer, n)]
            print(f"  {peer}: {p*1000:.1f} ms; svcpolicy is " + (f"{s/p:.1f}x {peer}" if peer == "cat" else f"{p/s:.0f}x faster"))
PY
