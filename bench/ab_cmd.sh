#!/usr/bin/env bash
# ab_cmd.sh - one allocscope command, two variants side by side, interleaved:
# A, B, B, A, A, B, ... (the order alternates by round, so load drift hits
# both alike). A variant is BUILD_DIR or BUILD_DIR,VAR=VALUE (an environment
# variable for that variant only, e.g. build,ALLOCSCOPE_NO_STREAM_CACHE=1),
# either followed by :ARGS, arguments for that variant only, added after
# the common ones (e.g. build:--jobs 1 against build:--jobs 2).
# Prints per variant the median and min-max over ROUNDS runs of wall time
# and of CPU time (user + system of the command and its workers), the
# median and min-max of the per-round difference B - A, and the load
# average before and after.
# usage: bench/ab_cmd.sh A B ROUNDS ALLOCSCOPE_ARGS...
#   e.g. bench/ab_cmd.sh build,ALLOCSCOPE_NO_STREAM_CACHE=1 build 9 \
#          run -q --no-plot -a glibc,null -w benchmt -t 1,2 -r 6 --min-time 0.05
#   (-o is added: a fresh folder per run)
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: ab_cmd.sh A B ROUNDS ALLOCSCOPE_ARGS..." >&2; exit 2; }
A=$1 B=$2 rounds=$3
shift 3
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "ab_cmd.sh: ROUNDS=$rounds: not a positive number" >&2; exit 2; }
out=$(mktemp -d /tmp/as_ab_cmd.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
one() {
  local v=$1 spec=$2 envs=() extra=() t0
  shift 2
  if [[ $spec == *:* ]]; then read -ra extra <<< "${spec#*:}"; spec=${spec%%:*}; fi
  if [[ $spec == *,* ]]; then envs=("${spec#*,}"); spec=${spec%%,*}; fi
  t0=$(date +%s.%N)
  env "${envs[@]}" /usr/bin/time -f '%U %S' -o "$out/cpu" "$spec/harness/allocscope" "$@" \
    "${extra[@]}" -o "$out/run" > /dev/null 2>&1
  echo "$v $r $(echo "$(date +%s.%N) - $t0" | bc) $(awk '{ print $1 + $2 }' "$out/cpu")" >> "$out/t"
  rm -rf "$out/run"
}
for ((r = 0; r < rounds; r++)); do
  if ((r % 2)); then one B "$B" "$@"; one A "$A" "$@"; else one A "$A" "$@"; one B "$B" "$@"; fi
done
stats() {
  sort -g | awk '{ x[NR] = $1 } END {
    med = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
    printf "%.3f (%.3f - %.3f)", med, x[1], x[NR] }'
}
for v in A B; do
  name=$A; [ $v = B ] && name=$B
  printf '%s %s: wall %s s, CPU %s s\n' "$v" "$name" \
    "$(awk -v v=$v '$1 == v { print $3 }' "$out/t" | stats)" \
    "$(awk -v v=$v '$1 == v { print $4 }' "$out/t" | stats)"
done
printf 'B - A per round: wall %s s, CPU %s s (%d rounds)\n' \
  "$(awk '{ w[$2, $1] = $3 } END { for (k in w) { split(k, p, SUBSEP); if (p[2] == "A") print w[p[1], "B"] - w[k] } }' "$out/t" | stats)" \
  "$(awk '{ c[$2, $1] = $4 } END { for (k in c) { split(k, p, SUBSEP); if (p[2] == "A") print c[p[1], "B"] - c[k] } }' "$out/t" | stats)" \
  "$rounds"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
