# big_folder.sh - a run folder of many trials.csv rows for the memory
# tests (test_compare_mem, test_plot_mem, test_plot_groups), sourced: big() writes
# context.csv and trials.csv, every column a run writes, every row ok.
# big DIR MODULES WORKLOADS REPS: a run folder of MODULES x WORKLOADS x 2
# thread counts x REPS ok rows in trials.csv, the header a run writes
big() {
  mkdir -p "$1"
  printf 'key,value\nresults_format,2\nhost,hostA\nkernel,6.1\nglibc,2.36\nbuild_type,Release\ngit_revision,abc\nrepetitions,%s\n' \
    "$4" >"$1/context.csv"
  awk -v nm="$2" -v nw="$3" 'BEGIN { for (m = 0; m < nm; m++) print "module,mod" m
    for (w = 0; w < nw; w++) print "workload,random:ops=" (1000 + w) }' >>"$1/context.csv"
  awk -v nm="$2" -v nw="$3" -v reps="$4" 'BEGIN {
    print "trial,rep,module,module_params,module_version,workload,workload_params,threads,seed,status,reason,cpu_binding,ops,elapsed_ns,ns_per_op,ops_per_sec,sampling_ns,live_bytes_peak,rss_before_kib,rss_peak_kib,rss_end_kib,rss_after_free_kib,rss_after_trim_kib,overhead_ratio,heap_rss_peak_kib,heap_size_peak_kib,heap_size_end_kib,mmap_rss_peak_kib,mmap_size_peak_kib,heap_rss_after_free_kib,mmap_rss_after_free_kib,heap_rss_after_trim_kib,mmap_rss_after_trim_kib,minflt,majflt,syscalls_total,brk_calls,mmap_calls,munmap_calls,mremap_calls,madvise_calls,madvise_dontneed_calls,madvise_free_calls,mprotect_calls,samples,trace_live_bytes_peak,passes,canary_ns,wait_ns,handoff_ns,handoff_end_ns,pass_ns_max,pass_ns_median,handovers,handovers_waited,cpu_start,cpu_end,wall_ns,libc_calls,module_start_rss_kib,timed_ops"
    for (r = 0; r < reps; r++) { t = 0
      for (w = 0; w < nw; w++) for (th = 1; th <= 2; th++) for (m = 0; m < nm; m++) {
        ns = 100 + m + (r % 7) * 0.5
        printf "%d,%d,mod%d,,1,random,ops=%d,%d,42,ok,,0:0-1,24000,%d,%.3f,8.27e+06,1244851,2634218,5752,8516,8516,8516,6368,1.07445,2772,2772,2772,1184,1236,2772,1184,624,1184,691,0,20,20,0,0,0,0,0,0,0,26,,1,148137,0,%s,%s,,,,,1,1,16248333,0,48,\n",
          t++, r, m, 1000 + w, th, ns * 24000, ns, (th > 1 ? 300 : ""), (th > 1 ? 300 : "")
      } } }' >"$1/trials.csv"
}

# plot_limited DIR OUT OPTION VALUE: `allocscope plot DIR -o OUT` ($as)
# without gnuplot (its own process would share the limit) under `ulimit
# OPTION VALUE`; its exit code in OUT.rc, its output in OUT.out
plot_limited() {
  (
    ulimit "$3" "$4"
    ALLOCSCOPE_GNUPLOT=/nonexistent/gnuplot "$as" plot "$1" -o "$2" >"$2.out" 2>&1
    echo "$?" >"$2.rc"
  )
}

# big_resumable DIR ALLOCSCOPE WORKLOADS REPS [THREADS]: a complete run
# folder that `run --resume DIR` accepts: null and arena x WORKLOADS
# (random:ops=1000, 1001, ...; at most 64) x thread counts 1..THREADS
# (default 1; the rows above 1 are ok rows all the same) x REPS, every
# trial done (nothing runs again).
# A real run of the first workload's two trials gives context.csv (this
# machine, these modules) and the rows; every trials.csv row is one of
# them with its trial, rep and workload, its note cut (a quoted cell)
# and samples 0, so series.csv needs no row.
big_resumable() {
  local d=$1 as=$2 nw=$3 reps=$4 nt=${5:-1} wl="" th="" w
  for ((w = 0; w < nw; w++)); do wl="$wl${wl:+,}random:ops=$((1000 + w))"; done
  for ((w = 1; w <= nt; w++)); do th="$th${th:+,}$w"; done
  rm -rf "$d"
  "$as" run -a null,arena -w random:ops=1000 -t 1 -r 1 --min-time 0 --latency 0 --no-plot -q \
    -o "$d" >/dev/null || return 1
  printf '%s\0' -a null,arena -w "$wl" -t "$th" -r "$reps" --min-time 0 --latency 0 --no-plot -q \
    -o "$d" >"$d/run.args"
  head -1 "$d/series.csv" >"$d/series.tmp" && mv "$d/series.tmp" "$d/series.csv"
  awk -F, -v OFS=, -v nw="$nw" -v nt="$nt" -v reps="$reps" '
    NR == 1 { print; for (c = 1; c <= NF; c++) col[$c] = c; next }
    { gsub(/"[^"]*"/, ""); $0 = $0; row[$col["module"]] = $0 }
    END { for (r = 0; r < reps; r++) for (w = 0; w < nw; w++) for (t = 0; t < nt; t++)
        for (m = 0; m < 2; m++) {
        $0 = row[m ? "arena" : "null"]
        $col["trial"] = 2 * (w * nt + t) + m; $col["rep"] = r; $col["threads"] = t + 1
        $col["workload_params"] = "ops=" (1000 + w); $col["samples"] = 0
        print } }' "$d/trials.csv" >"$d/trials.tmp" && mv "$d/trials.tmp" "$d/trials.csv"
}
