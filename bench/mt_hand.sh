#!/usr/bin/env bash
# mt_hand.sh - allocscope's 2-thread ns/op of one module beside the same
# pattern written by hand (bench/mt_loop.c under LD_PRELOAD of the Debian
# library), interleaved round by round, for one or more builds. Per round:
# each build's `allocscope run -a MODULE -w WORKLOAD -t 2 -r 1` (one trial,
# the default --min-time 0.2), then one mt_loop run of PASSES passes of the
# same pattern. Prints per variant the median, min-max and max/min of ns/op
# over the rounds (max/min: issue 12's spread), and per build the median
# and min-max of its per-round ratio to the hand loop, so the harness's
# share of a 2-thread figure is read against the machine of the same
# seconds (docs/measure.md "Two threads: the slot a free cleared").
# Usage: bench/mt_hand.sh BUILD[,BUILD...] [ROUNDS] [MODULE] [WORKLOAD] [PASSES]
#   A BUILD may carry run options after a colon, space-separated, so one
#   build can run beside itself with a measurement off:
#   bench/mt_hand.sh "build,build:--latency 0 --sample-every 0" 30
#   defaults: 15 rounds, mimalloc, xmalloc, 20 passes (xmalloc: ~0.2 s with
#   mimalloc; larson has no passes: one run of the hand loop).
#   e.g. bench/mt_hand.sh /tmp/before/build,build 30
set -euo pipefail
cd "$(dirname "$0")/.."
IFS=, read -ra builds <<< "${1:?usage: mt_hand.sh BUILD[,BUILD...] [ROUNDS] [MODULE] [WORKLOAD] [PASSES]}"
opts=()
for ((i = 0; i < ${#builds[@]}; i++)); do
  b=${builds[i]}
  opts[i]=""
  [[ $b != *:* ]] || { opts[i]=${b#*:}; builds[i]=${b%%:*}; }
done
rounds=${2:-15}
mod=${3:-mimalloc}
wl=${4:-xmalloc}
passes=${5:-20}
me=mt_hand.sh
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "$me: ROUNDS=$rounds: not a positive number" >&2; exit 2; }
[[ $wl == xmalloc || $wl == larson ]] || { echo "$me: WORKLOAD=$wl: xmalloc or larson" >&2; exit 2; }
. bench/preload_libs.sh
[ -n "${lib[$mod]+x}" ] || { echo "$me: MODULE=$mod: glibc, jemalloc, tcmalloc or mimalloc" >&2; exit 2; }
loop=${builds[-1]}/bench/mt_loop
for b in "${builds[@]}"; do
  [ -x "$b/harness/allocscope" ] || { echo "$me: $b: no harness/allocscope (build it first)" >&2; exit 2; }
done
[ -x "$loop" ] || { echo "$me: $loop: not built" >&2; exit 2; }
hand_args=("$wl" 2)
[ "$wl" = larson ] || hand_args+=("$passes")
tmp=$(mktemp -d /tmp/mt_hand-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < rounds; r++)); do
  for ((i = 0; i < ${#builds[@]}; i++)); do
    # shellcheck disable=SC2086 # the options split at spaces
    "${builds[i]}/harness/allocscope" run -q --no-plot -a "$mod" -w "$wl" -t 2 -r 1 \
      ${opts[i]} -o "$tmp/run" > /dev/null 2>&1 || true
    # ns_per_op of the one ok 2-thread trial ("nan" when it failed)
    awk -F, -v b="$i" -v r="$r" 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
      $c["status"] == "ok" { v = $c["ns_per_op"] } END { print "b" b, r, (v == "" ? "nan" : v) }' \
      "$tmp/run/trials.csv" >> "$tmp/t"
    rm -rf "$tmp/run"
  done
  echo "hand $r $(env ${lib[$mod]:+LD_PRELOAD=${lib[$mod]}} "$loop" "${hand_args[@]}" | awk '{print $4}')" >> "$tmp/t"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$mod $wl, 2 threads, $rounds rounds (ns/op: allocscope one trial at --min-time 0.2; hand: mt_loop ${hand_args[*]})"
labels=()
for ((i = 0; i < ${#builds[@]}; i++)); do
  labels[i]="${builds[i]}${opts[i]:+ ${opts[i]}}"
done
python3 - "$tmp/t" "${labels[@]}" <<'EOF'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
builds = sys.argv[2:]
v = {}
for name, r, x in rows:
    v.setdefault(name, {})[int(r)] = float(x)
hand = v.get("hand", {})
width = max([36] + [len(f"allocscope {b}") for b in builds])
def line(label, xs):
    xs = [x for x in xs if x == x]
    if not xs:
        return f"{label:{width}} no figure"
    return (f"{label:{width}} median {st.median(xs):8.2f}  min-max {min(xs):.2f}-{max(xs):.2f}"
            f"  max/min {max(xs) / min(xs):.2f}  (n {len(xs)})")
print(line("hand loop", hand.values()))
for i, b in enumerate(builds):
    mine = v.get(f"b{i}", {})
    print(line(f"allocscope {b}", mine.values()))
    ratio = [mine[r] / hand[r] for r in mine if r in hand and mine[r] == mine[r] and hand[r] > 0]
    if ratio:
        print(f"{'  / hand loop, per round':{width}} median {st.median(ratio):8.2f}  min-max {min(ratio):.2f}-{max(ratio):.2f}")
EOF
