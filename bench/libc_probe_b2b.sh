#!/usr/bin/env bash
# libc_probe_b2b.sh - what a run with the libc_calls uprobes
# (harness/libc_probe.h) costs the run started right after it: a tiny run's
# wall time QUIET seconds after the last run, then again at once after it,
# for two builds interleaved (A B, B A, ...) ROUNDS times. Median and
# min-max of each (docs/measure.md "Runs back to back"). The uprobes stay
# on (ALLOCSCOPE_NO_LIBC_PROBE unset).
# usage: bench/libc_probe_b2b.sh BUILD_A BUILD_B ROUNDS [QUIET]
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: libc_probe_b2b.sh BUILD_A BUILD_B ROUNDS [QUIET]" >&2; exit 2; }
A=$1 B=$2 rounds=$3 quiet=${4:-3}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "libc_probe_b2b.sh: ROUNDS=$rounds: not a positive number" >&2; exit 2; }
unset ALLOCSCOPE_NO_LIBC_PROBE
out=$(mktemp -d /tmp/as_libc_probe_b2b.XXXXXX)
trap 'rm -rf "$out"' EXIT
tiny() { # tiny BUILD: the run's wall time in ms
  local s e
  s=$(date +%s%N)
  "$1/harness/allocscope" run -q --no-plot -a bump -w random:ops=1000 -r 1 --min-time 0 \
    -o "$out/r" >/dev/null 2>&1 || true
  e=$(date +%s%N)
  rm -rf "$out/r"
  echo $(((e - s) / 1000000))
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order="A B"; else order="B A"; fi
  for v in $order; do
    b=$A; [ "$v" = B ] && b=$B
    sleep "$quiet"
    echo "$v quiet $(tiny "$b")" >>"$out/t"
    echo "$v b2b $(tiny "$b")" >>"$out/t"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out/t" "$A" "$B" "$quiet" <<'PY'
import statistics as st, sys
t = [l.split() for l in open(sys.argv[1])]
for v, b in (("A", sys.argv[2]), ("B", sys.argv[3])):
    for k, what in (("quiet", f"{sys.argv[4]} s after the last run"), ("b2b", "right after a run")):
        x = [int(ms) for w, kk, ms in t if w == v and kk == k]
        print(f"{v} {b}: {what:24} median {st.median(x)} ms ({min(x)}-{max(x)}), n={len(x)}")
PY
