# hogs.sh - sourced (after cli_expect.sh) by the tests that disturb a run
# on purpose (test_disturb*.sh): the hogs they start, stopped on exit, and
# readers of the run's folder $tmp/d while it runs.
command -v taskset >/dev/null || { echo "skipped: no taskset"; exit 77; }
hogs=()
stop_hogs() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; hogs=(); }
trap 'stop_hogs; rm -rf "$tmp"' EXIT
# cpu_hogs CPU: eight busy loops pinned on CPU, so a trial there waits for it
cpu_hogs() { for _ in 1 2 3 4 5 6 7 8; do taskset -c "$1" bash -c 'while :; do :; done' & hogs+=($!); done; }
# rows: how many trials.csv holds so far
rows() { [ -f "$tmp/d/trials.csv" ] && echo $(($(wc -l <"$tmp/d/trials.csv") - 1)) || echo 0; }
col() { # col FILE NAME: that column of every row
  awk -F, -v n="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == n) c = i; next} {print c ? $c : ""}' "$1"
}
# trial_cpu: the CPU the first trial was pinned to (cpu_binding "0:N")
trial_cpu() { col "$tmp/d/trials.csv" cpu_binding | head -1 | sed 's/^0://'; }
