#!/usr/bin/env bash
# mt_rank.sh - who wins on larson and xmalloc at 2 threads: allocscope's
# ranking of glibc, jemalloc, tcmalloc and mimalloc against the same
# patterns written by hand (bench/mt_loop.c, plain malloc/free) under
# LD_PRELOAD of the Debian libraries, and against the reference medians of
# mimalloc-bench's original programs quoted in issue 12. Per run: one
# `allocscope run -a glibc,jemalloc,tcmalloc,mimalloc -w larson,xmalloc -t 2`
# (its own -r auto medians), then HAND rounds of the hand loop, the modules
# in turn in every round. Prints each run's ranking (fastest first, ns/op
# medians) and mimalloc/glibc for both, whether each ranking agrees with the
# reference (pairs within 10 % in the reference may swap), and a tally.
# Usage: bench/mt_rank.sh [BUILD_DIR] [RUNS] [HAND] [extra run options...]
#        (defaults: build, 5, 5). About 2-4 minutes per run on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-5}
hand=${3:-5}
shift $(($# < 3 ? $# : 3))
cli=$build/harness/allocscope
loop=$build/bench/mt_loop
mods=(glibc jemalloc tcmalloc mimalloc)
me=mt_rank.sh
. bench/preload_libs.sh
[ -x "$cli" ] && [ -x "$loop" ] || { echo "mt_rank.sh: build $build first" >&2; exit 2; }
tmp=$(mktemp -d /tmp/mt_rank-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# reference: ns per alloc-or-free, medians of the originals (issue 12)
ref_xmalloc="mimalloc=18.1 tcmalloc=28.5 glibc=40.2 jemalloc=48.1"
ref_larson="tcmalloc=18.5 jemalloc=19.2 mimalloc=21.8 glibc=35.1"

median() { sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# verdict "m1=v1 m2=v2 ..." "ref": ranking line, mimalloc/glibc, agrees yes/no
judge() {
  awk -v got="$1" -v ref="$2" 'BEGIN {
    n = split(got, g, " "); for (i = 1; i <= n; i++) { split(g[i], kv, "="); G[kv[1]] = kv[2]; name[i] = kv[1] }
    split(ref, r, " "); for (i in r) { split(r[i], kv, "="); R[kv[1]] = kv[2] }
    ok = 1
    for (a in R) for (b in R) if (R[a] * 1.10 < R[b] && !(G[a] < G[b])) { ok = 0; miss = miss " " a "<" b }
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (G[name[j]] < G[name[i]]) { t = name[i]; name[i] = name[j]; name[j] = t }
    for (i = 1; i <= n; i++) line = line (i > 1 ? " < " : "") sprintf("%s %.1f", name[i], G[name[i]])
    printf "%-62s mimalloc/glibc %.2f  %s\n", line, G["mimalloc"] / G["glibc"], ok ? "agrees" : "MISSED (" substr(miss, 2) ")"
  }'
}
echo "reference (mimalloc-bench originals, issue 12): xmalloc t2 $ref_xmalloc; larson t2 $ref_larson"
for ((run = 1; run <= runs; run++)); do
  "$cli" run -q --no-plot -a glibc,jemalloc,tcmalloc,mimalloc -w larson,xmalloc -t 2 \
    -o "$tmp/run$run" "$@" >/dev/null
  for ((h = 1; h <= hand; h++)); do
    for m in "${mods[@]}"; do
      for w in larson xmalloc; do
        LD_PRELOAD=${lib[$m]} "$loop" "$w" 2 | awk -v m="$m" '{print m, $1, $4}' >>"$tmp/hand$run"
      done
    done
  done
  echo "== run $run (load $(cut -d' ' -f1-3 /proc/loadavg))"
  for w in xmalloc larson; do
    eval "ref=\$ref_$w"
    a="" b=""
    for m in "${mods[@]}"; do
      a+="$m=$(awk -F, -v m="$m" -v w="$w" 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
        $c["module"] == m && $c["workload"] == w && $c["status"] == "ok" {print $c["ns_per_op"]}' \
        "$tmp/run$run/trials.csv" | median) "
      b+="$m=$(awk -v m="$m" -v w="$w" '$1 == m && $2 == w {print $3}' "$tmp/hand$run" | median) "
    done
    printf '%-8s allocscope: %s\n' "$w" "$(judge "$a" "$ref")"
    printf '%-8s hand loop:  %s\n' "" "$(judge "$b" "$ref")"
  done | tee -a "$tmp/verdicts"
done
echo "== agreement with the reference ranking over $runs runs"
for w in xmalloc larson; do
  for who in allocscope "hand loop"; do
    n=$(grep -A1 "^$w " "$tmp/verdicts" | grep -c "$who:.*agrees" || true)
    echo "$w $who: $n of $runs"
  done
done
