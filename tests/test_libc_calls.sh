#!/usr/bin/env bash
# test_libc_calls.sh - a module that reaches the process's malloc without
# importing it (harness/libc_count.h) fails its rows, with the count: the
# loader's import check cannot see dlsym(RTLD_DEFAULT, "malloc") or a
# library the module links, and until session 20 such a module was
# measured as itself while glibc served its blocks (an outside review's
# module sent blocks over 32 KiB to glibc: 434 brk calls in its row, for
# an allocator that never calls brk). tests/mods/libc_route.c hands every
# op to malloc, one call each: the count must equal the trial's ops. glibc
# (which looks its functions up in libc.so.6) and the other allocators
# call none in the timed region, at 1 and 2 threads.
# usage: test_libc_calls.sh ALLOCSCOPE DLSYM_MODULE HELPER_MODULE TLS_MODULE
set -u
as=$1 dl=$2 hp=$3 tls=$4
. "$(dirname "$0")/cli_expect.sh"
col() { # col FILE MODULE COLUMN: that column of MODULE's rows
  python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["module"] == sys.argv[2]: print(r[sys.argv[3]])' "$@"
}
"$as" run --no-plot -a glibc,"$dl","$hp" -w random:ops=20000,live=500 -r 1 --min-time 0 \
  -o "$tmp/r" >"$tmp/out" 2>&1
rc=$?
if [ -n "${ALLOCSCOPE_SANITIZED:-}" ]; then
  # the sanitizer owns malloc there: not counted, said as n/a
  [ -z "$(col "$tmp/r/trials.csv" glibc libc_calls)" ] || { echo "libc_calls counted under a sanitizer" >&2; exit 1; }
  echo "sanitizer build: the process's malloc is the sanitizer's, not counted"; exit 77
fi
[ "$(col "$tmp/r/trials.csv" glibc status)" = ok ] && [ "$(col "$tmp/r/trials.csv" glibc libc_calls)" = 0 ] && ok ||
  bad "glibc: $(col "$tmp/r/trials.csv" glibc status) libc_calls $(col "$tmp/r/trials.csv" glibc libc_calls)"
for m in "$dl" "$hp"; do
  st=$(col "$tmp/r/trials.csv" "$m" status)
  calls=$(col "$tmp/r/trials.csv" "$m" libc_calls)
  ops=$(col "$tmp/r/trials.csv" "$m" ops)
  [ "$st" = module_called_libc_malloc ] && [ -n "$ops" ] && [ "$calls" = "$ops" ] && ok ||
    bad "$(basename "$m"): status $st, libc_calls $calls, ops $ops (want module_called_libc_malloc, calls = ops)"
  grep -q "$(basename "$m").*module_called_libc_malloc: $calls calls to the process's malloc family" "$tmp/out" && ok ||
    bad "no console line for $(basename "$m")"
done
# a trace runs on its own threads: the failed trial's line says how many
# (it said "1 thread", -t's, for a 2-thread trace until session 20)
printf 'op,thread,id,size_bytes,align_bytes,time_ns\nmalloc,0,1,64,0,0\nmalloc,1,2,64,0,10\nfree,0,1,0,0,20\nfree,1,2,0,0,30\n' >"$tmp/two.csv"
"$as" replay "$tmp/two.csv" -a "$dl" -r 1 -q --no-plot -o "$tmp/rp" >"$tmp/rp.out" 2>&1
grep -q "(.*libc_route_dlsym.so, trace[^)]*, 2 threads): module_called_libc_malloc" "$tmp/rp.out" && ok ||
  bad "the 2-thread replay's failed trial line: $(head -2 "$tmp/rp.out")"
# the failed rows are no figures: the run says so in its exit code
[ "$rc" -ne 0 ] && ok || bad "run with failed rows exited 0"
# no false alarm: the real allocators at 1 and 2 threads, a cross-thread
# workload included, call the process's malloc 0 times
"$as" run -q --no-plot -a glibc,jemalloc,tcmalloc,mimalloc -w larson:epochs=2,xmalloc:batches=5 -t 1,2 \
  -r 1 --min-time 0 -o "$tmp/m" >/dev/null 2>&1
n=$(python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(sum(1 for r in rows if r["status"] == "ok" and r["libc_calls"] == "0"), len(rows))' "$tmp/m/trials.csv")
[ "$n" = "16 16" ] && ok || bad "real allocators: $n rows ok with 0 libc calls (want 16 16)"
# glibc's own calls are not the module's: a module with thread-local state
# in dynamic TLS gets its block from malloc in each new thread (ld.so's
# __tls_get_addr), inside the timed region at 2 threads (until session 20
# that failed the row with threads - 1 calls; jemalloc:background_thread=1
# likewise for the threads it starts)
"$as" run -q --no-plot -a "$tls",jemalloc:background_thread=1 -w random:ops=2000,live=100 -t 2,4 -r 1 \
  --min-time 0 -o "$tmp/t" >/dev/null 2>&1
n=$(python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(sum(1 for r in rows if r["status"] == "ok" and r["libc_calls"] == "0"), len(rows))' "$tmp/t/trials.csv")
[ "$n" = "4 4" ] && ok || bad "TLS module and jemalloc background threads: $n rows ok with 0 libc calls (want 4 4)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
