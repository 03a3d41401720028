#!/usr/bin/env bash
# test_spread_sh.sh - bench/spread.sh's per-trial columns on a made-up
# folder: waited (the range of handovers_waited / handovers) and r_rss
# (ns/op against peak RSS over the ok repetitions): -1.00 where the faster
# trials mapped more, +1.00 the other way, "-" under 4 repetitions, with a
# constant RSS, or without trials.csv; a failed trial is not counted; and
# cpu (the median ns/op of the group's slowest CPU over its fastest's, by
# trials.csv cpu_start, a trial the scheduler moved left out): "-" on one
# CPU or without the columns.
# Usage: test_spread_sh.sh
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d /tmp/as_test_spread_sh.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
d=$tmp/d
mkdir -p "$d"
cols=workload,workload_params,module,module_params,threads,reps_ok,ns_per_op_min,ns_per_op_max
cols=$cols,ns_per_op_spread,reps_disturbed,ns_per_op_spread_undisturbed,reps_slow_passes
{
  echo "$cols"
  echo "xmalloc,,jemalloc,,2,5,40,80,2.00,0,2.00,0"
  echo "xmalloc,,tcmalloc,,2,5,40,50,1.25,0,1.25,0"
  echo "xmalloc,,mimalloc,,2,3,10,12,1.20,0,1.20,0"
  echo "larson,,glibc,,1,4,20,21,1.05,0,1.05,0"
} >"$d/summary.csv"
{
  echo "module,module_params,workload,workload_params,threads,status,ns_per_op,rss_peak_kib,handovers,handovers_waited,cpu_start,cpu_end"
  # jemalloc: faster with more memory; a failed trial that would break it
  for x in "40 48000 500 5" "50 43000 500 50" "60 38000 400 80" "80 28000 300 150"; do
    set -- $x; echo "jemalloc,,xmalloc,,2,ok,$1,$2,$3,$4,,"
  done
  echo "jemalloc,,xmalloc,,2,crashed,,99999,,,,"
  # tcmalloc: slower with more memory
  for x in "40 30000" "45 31000" "50 32000" "42.5 30500"; do
    set -- $x; echo "tcmalloc,,xmalloc,,2,ok,$1,$2,600,6,0,0"
  done
  for v in 10 11 12; do echo "mimalloc,,xmalloc,,2,ok,$v,$((v * 1000)),2200,2200,1,1"; done
  # glibc: CPU 0 20 and 20.5, CPU 1 30 and 32 (medians 20.25 and 31: 1.53);
  # the trial moved from 1 to 0 (40) is not counted
  for x in "20 0 0" "30 1 1" "20.5 0 0" "40 1 0" "32 1 1"; do
    set -- $x; echo "glibc,,larson,,1,ok,$1,5000,,,$2,$3"
  done
} >"$d/trials.csv"
out=$("$src/bench/spread.sh" "$d")
echo "$out"
col() { echo "$out" | awk -v m="$1" -v c="$2" '$3 == m {print $c}'; }
[ "$(echo "$out" | head -1 | awk '{print $10}')" = r_rss ] && ok "header: r_rss after waited" ||
  bad "header"
[ "$(col jemalloc 10)" = -1.00 ] &&
  ok "jemalloc: r_rss $(col jemalloc 10), the failed trial left out" || bad "jemalloc: r_rss $(col jemalloc 10)"
[ "$(col jemalloc 9)" = 0.01-0.50 ] && ok "jemalloc: waited 0.01-0.50" || bad "jemalloc: waited $(col jemalloc 9)"
[ "$(col tcmalloc 10)" = +1.00 ] && ok "tcmalloc: r_rss +1.00" || bad "tcmalloc: r_rss $(col tcmalloc 10)"
[ "$(col mimalloc 10)" = - ] && ok "3 repetitions: r_rss -" || bad "mimalloc: r_rss $(col mimalloc 10)"
[ "$(col glibc 10)" = - ] && [ "$(col glibc 9)" = - ] && ok "constant RSS, no handovers: - and -" ||
  bad "glibc: $(col glibc 9) $(col glibc 10)"
[ "$(col glibc 11) $(col glibc 12)" = "1.53 1/0" ] && ok "glibc: cpu 1.53 1/0, the moved trial left out" ||
  bad "glibc: cpu $(col glibc 11) $(col glibc 12)"
[ "$(col tcmalloc 11)" = - ] && [ "$(col jemalloc 11)" = - ] && ok "one CPU, no column: cpu -" ||
  bad "cpu: tcmalloc $(col tcmalloc 11), jemalloc $(col jemalloc 11)"
rm "$d/trials.csv"
out=$("$src/bench/spread.sh" "$d")
[ "$(col jemalloc 10)" = - ] && ok "no trials.csv: r_rss -" || bad "no trials.csv: $(col jemalloc 10)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
