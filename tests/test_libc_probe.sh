#!/usr/bin/env bash
# test_libc_probe.sh - a module that reaches glibc's malloc past the
# executable's counting wrappers (harness/libc_count.h) is caught by the
# uprobes on libc.so.6's malloc family (harness/libc_probe.h): by
# dlsym(RTLD_NEXT), by dlvsym(RTLD_NEXT, "malloc", "GLIBC_2.2.5"), and
# through a library opened with RTLD_DEEPBIND (tests/mods/libc_route.c).
# Until session 29 all three ran as "ok" and were measured as themselves
# while glibc served every block. One op, one call: libc_calls must equal
# the trial's ops. No false alarm: bump and jemalloc call none at 1 and 2
# threads, and the glibc module (which calls glibc's malloc on purpose) is
# left unprobed. The run's uprobe events are gone soon after it. Skipped (77)
# where the run cannot hold uprobes (context.csv libc_calls_probe n/a:
# not root, no tracefs uprobe_events) and in a sanitizer build.
# usage: test_libc_probe.sh ALLOCSCOPE NEXT_MODULE VSYM_MODULE DEEPBIND_MODULE
set -u
as=$1 nx=$2 vs=$3 db=$4
. "$(dirname "$0")/cli_expect.sh"
if [ -n "${ALLOCSCOPE_SANITIZED:-}" ]; then
  echo "skipped: sanitizer build: the process's malloc is the sanitizer's, not counted"
  echo "0 passed, 0 failed"; exit 77
fi
col() { # col FILE MODULE COLUMN: that column of MODULE's rows, one per line
  python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["module"] == sys.argv[2]: print(r[sys.argv[3]])' "$@"
}
ctx() { python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["key"] == sys.argv[2]: print(r["value"])' "$1/context.csv" "$2"; }
# the run's events a group of their own, apart from other tests' runs
group=allocscope_test_$$
export ALLOCSCOPE_LIBC_PROBE_GROUP=$group
mods=glibc,bump,"$nx","$vs","$db"
"$as" list 2>/dev/null | grep -qw jemalloc && mods=$mods,jemalloc
"$as" run --no-plot -a "$mods" -w random:ops=20000,live=500 -t 1,2 -r 1 --min-time 0 \
  -o "$tmp/r" >"$tmp/out" 2>&1 &
run=$!
wait $run
rc=$?
probe=$(ctx "$tmp/r" libc_calls_probe)
case "$probe" in
  n/a*) echo "skipped: the run holds no uprobes: $probe"; echo "0 passed, 0 failed"; exit 77 ;;
esac
for m in "$nx" "$vs" "$db"; do
  st=$(col "$tmp/r/trials.csv" "$m" status | sort -u)
  calls=$(col "$tmp/r/trials.csv" "$m" libc_calls | tr '\n' ' ')
  ops=$(col "$tmp/r/trials.csv" "$m" ops | tr '\n' ' ')
  [ "$st" = module_called_libc_malloc ] && [ -n "${ops// /}" ] && [ "$calls" = "$ops" ] && ok ||
    bad "$(basename "$m"): status $st, libc_calls $calls, ops $ops (want module_called_libc_malloc, calls = ops)"
done
grep -q "libc_route_next.*module_called_libc_malloc: [0-9]* calls to the process's malloc family" "$tmp/out" && ok ||
  bad "no console line for libc_route_next"
for m in glibc bump jemalloc; do # bump is not thread-safe: its 2-thread row is skipped
  got=$(python3 -c 'import csv, sys
print(" ".join(sorted({r["status"] + ":" + r["libc_calls"] for r in csv.DictReader(open(sys.argv[1]))
                       if r["module"] == sys.argv[2] and r["status"] != "skipped"})))' "$tmp/r/trials.csv" $m)
  [ -n "$got" ] || continue
  [ "$got" = ok:0 ] && ok || bad "$m: status:libc_calls $got (want ok:0 at 1 and 2 threads)"
done
case "$probe" in
  *"not in the glibc module's trials"*) ok ;;
  *) bad "context.csv libc_calls_probe does not say glibc is unprobed: $probe" ;;
esac
[ "$rc" -ne 0 ] && ok || bad "run with failed rows exited 0"
# the holder releases and removes the events once the run is gone (and its
# 2 s linger for a next run, test_libc_probe_linger.sh, is over)
for _ in $(seq 1 100); do
  grep -q "^p:$group/" /sys/kernel/tracing/uprobe_events 2>/dev/null || break
  sleep 0.1
done
grep -q "^p:$group/" /sys/kernel/tracing/uprobe_events 2>/dev/null &&
  bad "uprobe events $group still defined 10 s after the run" || ok
rm -f "/run/allocscope/$group.lock" "/tmp/$group.lock" # the holders' lock, theirs alone
# where the run cannot hold uprobes (an ordinary user): today's count by
# the wrappers alone, and context.csv says why
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  chmod 711 "$tmp" && mkdir -m 777 "$tmp/nb"
  setpriv --reuid 65534 --regid 65534 --clear-groups "$as" run -q --no-plot -a "$nx" \
    -w random:ops=2000,live=100 -r 1 --min-time 0 -o "$tmp/nb/r" >/dev/null 2>&1
  if [ -f "$tmp/nb/r/context.csv" ]; then # uid 65534 could run this build
    case "$(ctx "$tmp/nb/r" libc_calls_probe)" in
      "n/a: cannot write "*"Permission denied"*) ok ;;
      *) bad "as uid 65534: libc_calls_probe $(ctx "$tmp/nb/r" libc_calls_probe) (want n/a, Permission denied)" ;;
    esac
    [ "$(col "$tmp/nb/r/trials.csv" "$nx" status)" = ok ] && ok ||
      bad "as uid 65534: $(basename "$nx") $(col "$tmp/nb/r/trials.csv" "$nx" status) (want ok: unseen without the uprobes)"
  fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
