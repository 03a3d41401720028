#!/usr/bin/env bash
# setup_ab.sh - a worker's set-up of one trace, two variants interleaved:
# PAIRS pairs of `replay_bench TRACE 0 1` (one set-up round in a fresh
# child each), A then B, B then A on odd pairs, so load drift hits both
# alike. A variant is a replay_bench binary, or BIN,VAR=VALUE (an
# environment variable for that variant only, e.g. the same binary with
# ALLOCSCOPE_NO_FILL_AHEAD=1). Prints each round (wall and CPU seconds of
# the set-up, the CPU of its building thread, peak memory added per event,
# the CLI's check's CPU seconds) and per variant the median (min-max) of
# each, and the load average before and after. A replay_bench from before
# 5 December 11:00 prints no building thread: its set-up's CPU is shown.
#   bench/setup_ab.sh A B PAIRS TRACE
#   e.g. bench/setup_ab.sh build/bench/replay_bench,ALLOCSCOPE_NO_FILL_AHEAD=1 \
#          build/bench/replay_bench 9 synthetic.ast
#   (synthetic.ast: build/bench/replay_bench --make 30000000 synthetic.ast)
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: setup_ab.sh A B PAIRS TRACE" >&2; exit 2; }
A=$1 B=$2 pairs=$3 trace=$4
[[ $pairs =~ ^[1-9][0-9]*$ ]] || { echo "setup_ab.sh: PAIRS=$pairs: not a positive number" >&2; exit 2; }
out=$(mktemp /tmp/as_setup_ab.XXXXXX)
trap 'rm -f "$out"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 0; i < pairs; i++)); do
  for k in 0 1; do
    if (((i + k) % 2)); then spec=$B n=B; else spec=$A n=A; fi
    envs=()
    if [[ $spec == *,* ]]; then envs=("${spec#*,}"); spec=${spec%%,*}; fi
    env "${envs[@]}" "$spec" "$trace" 0 1 | awk -v n=$n -v i=$i '
      /^  wall seconds/ {w = $4} /CPU seconds \(user/ {c = $5} /building thread/ {b = $6}
      /peak memory added per event/ {p = $7} /check, CPU/ {k = $6}
      END {printf "%s %d wall %.3f cpu %.3f build_thread %.3f peak %.2f check %.3f\n", n, i, w, c, (b == "" ? c : b), p, k}'
  done
done | tee "$out"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "A = $A"
echo "B = $B"
awk 'function med(s,  a, n, i, j, t) { n = split(s, a, " ")
       for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
       return sprintf("%.3f (%s-%s)", n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2, a[1], a[n]) }
  { for (f = 3; f <= NF; f += 2) v[$1 " " $f] = v[$1 " " $f] " " $(f + 1) }
  END { for (k in v) print k, "median", med(v[k]) }' "$out" | sort
