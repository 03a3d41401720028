#!/usr/bin/env bash
# capture_start.sh - where `allocscope capture`'s own time goes around a
# program, from the kernel's process events (perf trace: no ptrace, so the
# program runs at its speed): per run, ms from allocscope's exec to the
# program's exec ("start"), from allocscope's fork/spawn of it to its exec
# ("spawn"), and from the program's exit to allocscope's ("end": the tail of
# the conversion, fsync, rename, exit). Builds alternate run by run; prints
# each build's medians and min-max.
#   bench/capture_start.sh RUNS BUILD_DIR [BUILD_DIR...]   (e.g. 9 build /tmp/base/build)
# The program is bench/capture_overhead's sqlite3 script (20,000 rows,
# an index, a delete and a vacuum). Needs perf (with tracepoint access) and
# sqlite3.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: capture_start.sh RUNS BUILD_DIR [BUILD_DIR...]" >&2; exit 2; }
runs=$1
shift
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "capture_start.sh: RUNS=$runs: not a positive number" >&2; exit 2; }
builds=()
for b in "$@"; do builds+=("$(realpath "$b")"); done
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/as_capture_start.XXXXXX)
trap 'rm -rf "$work"' EXIT
# the generator in capture_overhead, between its "$py" - "$work" <<'PY' and PY lines
# shellcheck disable=SC2016
sed -n '/^"\$py" - "\$work" <<.PY.$/,/^PY$/p' "$here/capture_overhead" | sed '1d;$d' > "$work/gen.py"
python3 "$work/gen.py" "$work"
sq=$(command -v sqlite3)
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
cd "$work"
for ((i = 0; i < runs; i++)); do
  for b in "${builds[@]}"; do
    rm -f t.ast
    perf trace -f --no-syscalls \
      -e 'sched:sched_process_exec,sched:sched_process_fork,sched:sched_process_exit' -- \
      "$b/harness/allocscope" capture -o t.ast -- "$sq" :memory: ".read $work/script.sql" 2>&1 >/dev/null |
      grep -a 'sched:' | awk -v b="$b" '
        /process_exec/ && /"[^"]*allocscope"/ && !e0 {e0 = $1}
        /process_fork/ && !f {f = $1}
        /process_exec/ && /sqlite3"/ {e1 = $1}
        /process_exit/ && /comm: "sqlite3"/ {x = $1}
        /process_exit/ && /comm: "allocscope"/ && /group_dead: 1/ {y = $1}
        END {printf "%s %.2f %.2f %.2f\n", b, e1 - e0, e1 - f, y - x}' >> "$work/runs"
  done
done
for b in "${builds[@]}"; do
  for col in 2 3 4; do
    awk -v b="$b" -v c=$col '$1 == b {print $c}' "$work/runs" | sort -g |
      awk -v b="$b" -v c=$col 'BEGIN {split("x start spawn end", name, " ")}
        {a[NR] = $1} END {printf "%-40s %-5s ms median %6.2f  min %6.2f  max %6.2f  (%d runs)\n", b, name[c],
          NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1], a[NR], NR}'
  done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
