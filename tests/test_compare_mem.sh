#!/usr/bin/env bash
# test_compare_mem.sh - `allocscope compare` holds what it compares, not
# the folders: a trials.csv of 40,000 rows (10 modules x 20 workloads x 2
# thread counts x 100 repetitions, every column a run writes) against a
# narrow rerun of one of its groups, under an address-space limit of 128
# MiB. Until this test compare kept every cell of the file and a 6 KB
# result per row for the disturbed rule: 254 MB peak here, 6 GB at a
# million rows (docs/measure.md "compare on a million rows"); now about
# 40 MB here. Skipped in the sanitizer build (ASan reserves terabytes of
# address space).
# usage: test_compare_mem.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
[ -z "${ALLOCSCOPE_SANITIZED:-}" ] || skip "sanitizer build (ASan's shadow memory has no ulimit -v)"

# big DIR MODULES WORKLOADS REPS: a run folder of MODULES x WORKLOADS x 2
# thread counts x REPS ok rows in trials.csv, the header a run writes
big() {
  mkdir -p "$1"
  printf 'key,value\nresults_format,2\nhost,hostA\nkernel,6.1\nglibc,2.36\nbuild_type,Release\ngit_revision,abc\nrepetitions,%s\n' \
    "$4" >"$1/context.csv"
  awk -v nm="$2" -v nw="$3" 'BEGIN { for (m = 0; m < nm; m++) print "module,mod" m
    for (w = 0; w < nw; w++) print "workload,random:ops=" (1000 + w) }' >>"$1/context.csv"
  awk -v nm="$2" -v nw="$3" -v reps="$4" 'BEGIN {
    print "trial,rep,module,module_params,module_version,workload,workload_params,threads,seed,status,reason,cpu_binding,ops,elapsed_ns,ns_per_op,ops_per_sec,sampling_ns,live_bytes_peak,rss_before_kib,rss_peak_kib,rss_end_kib,rss_after_free_kib,rss_after_trim_kib,overhead_ratio,heap_rss_peak_kib,heap_size_peak_kib,heap_size_end_kib,mmap_rss_peak_kib,mmap_size_peak_kib,heap_rss_after_free_kib,mmap_rss_after_free_kib,heap_rss_after_trim_kib,mmap_rss_after_trim_kib,minflt,majflt,syscalls_total,brk_calls,mmap_calls,munmap_calls,mremap_calls,madvise_calls,madvise_dontneed_calls,madvise_free_calls,mprotect_calls,samples,trace_live_bytes_peak,passes,canary_ns,wait_ns,handoff_ns,handoff_end_ns,pass_ns_max,pass_ns_median,handovers,handovers_waited,cpu_start,cpu_end,wall_ns,libc_calls"
    for (r = 0; r < reps; r++) { t = 0
      for (w = 0; w < nw; w++) for (th = 1; th <= 2; th++) for (m = 0; m < nm; m++) {
        ns = 100 + m + (r % 7) * 0.5
        printf "%d,%d,mod%d,,1,random,ops=%d,%d,42,ok,,0:0-1,24000,%d,%.3f,8.27e+06,1244851,2634218,5752,8516,8516,8516,6368,1.07445,2772,2772,2772,1184,1236,2772,1184,624,1184,691,0,20,20,0,0,0,0,0,0,0,26,,1,148137,0,%s,%s,,,,,1,1,16248333,0\n",
          t++, r, m, 1000 + w, th, ns * 24000, ns, (th > 1 ? 300 : ""), (th > 1 ? 300 : "")
      } } }' >"$1/trials.csv"
}
big "$tmp/a" 10 20 100
big "$tmp/b" 1 1 6
[ "$(wc -l <"$tmp/a/trials.csv")" -eq 40001 ] && ok || bad "the fixture has $(wc -l <"$tmp/a/trials.csv") lines"

# 128 MiB of address space: the program and its libraries take ~20, the
# fixed reader ~20 more; the old one needed ~300 and said "out of memory"
(
  ulimit -v 131072
  "$as" compare "$tmp/a" "$tmp/b" >"$tmp/out" 2>&1
  echo "$?" >"$tmp/rc"
)
if [ "$(cat "$tmp/rc")" = 0 ] && grep -qE "^2 matched: 0 regressions.*398 not run in B" "$tmp/out"; then
  ok
else
  bad "compare under ulimit -v 131072: exit $(cat "$tmp/rc"), output:"
  sed 's/^/  | /' "$tmp/out" >&2
fi
# the same answer as without the limit: nothing was cut short
"$as" compare "$tmp/a" "$tmp/b" >"$tmp/free" 2>&1
cmp -s "$tmp/out" "$tmp/free" && ok || bad "the limited run's output differs from the unlimited one's"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
