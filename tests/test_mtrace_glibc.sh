#!/usr/bin/env bash
# test_mtrace_glibc.sh - mtrace logs of real programs, made here, imported
# by `allocscope trace import mtrace` and held against glibc's own reader
# of them, /usr/bin/mtrace (libc-devtools): the blocks it lists as not
# freed (count and bytes) against trace stats' never freed objects and
# live bytes at the end, its "Free N was never alloc'd" lines against the
# import's unknown and double frees, "Realloc N was never alloc'd" against
# unknown reallocs and its "duplicate" lines against allocations at a live
# address. Logs: tests/mtrace_prog (a free from before tracing, a failed
# malloc and realloc), perl, git status, sort on two threads, mawk and
# python3 with three threads (PYTHONMALLOC=malloc). test_mtrace_real holds
# sqlite3's and python3's logs against tests/mtrace_count.py, written from
# docs/traces.md; this is a reader allocscope's authors did not write.
# perl's and python3's imports are replayed against glibc and bump too:
# ok, ops = events, the trace's peak.
# Exits 77 without /usr/bin/mtrace or libc_malloc_debug.so.0.
# Usage: test_mtrace_glibc.sh ALLOCSCOPE MTRACE_ON_SO MTRACE_PROG
set -u
as=$(readlink -f "$1") on=$(readlink -f "$2") prog=$(readlink -f "$3")
dbg=/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0
. "$(dirname "$0")/cli_expect.sh"
if [ ! -x /usr/bin/mtrace ] || [ ! -r "$dbg" ] || ! command -v perl >/dev/null; then
  echo "skipped: needs /usr/bin/mtrace (libc-devtools), perl and $dbg"
  echo "0 passed, 0 failed"
  exit 77
fi
cd "$tmp" || exit 1

# logged NAME CMD...: CMD's mtrace log (mtrace() started by $on, or by the
# program itself when on is empty), imported and compared
logged() {
  local name=$1
  shift
  MALLOC_TRACE=$tmp/$name.mtrace LD_PRELOAD="$dbg $on" "$@" >"$name.out" 2>&1 </dev/null
  if ! "$as" trace import mtrace "$name.mtrace" -o "$name.ast" >"$name.imp" 2>&1 ||
    ! "$as" trace stats "$name.ast" >"$name.stats" 2>&1; then
    bad "$name: import: $(head -3 "$name.imp")"
    return
  fi
  /usr/bin/mtrace "$name.mtrace" >"$name.glibc" 2>&1
  perl -ne '$n++, $b += hex($1) if /^0x[0-9a-f]+\s+0x([0-9a-f]+)\s+at /;
    $f++ if /^- \S+ Free \d+ was never/; $r++ if /^- \S+ Realloc \d+ was never/;
    $d++ if /^\+ \S+ (Alloc|Realloc) \d+ duplicate/;
    END { printf "never_freed %d\nlive_end %d\nfrees_unseen %d\nreallocs_unseen %d\ndup %d\n",
      $n, $b, $f, $r, $d }' "$name.glibc" >"$name.want"
  {
    awk '/^objects:/ { print "never_freed", $6 } /^live at end:/ { print "live_end", $4 }' "$name.stats"
    awk '$1 == "unknown_frees" || $1 == "double_frees" { f += $2 }
         $1 == "unknown_reallocs" { r = $2 } $1 == "live_address_allocs" { d = $2 }
         END { printf "frees_unseen %d\nreallocs_unseen %d\ndup %d\n", f, r, d }' "$name.imp"
  } >"$name.got"
  if diff "$name.want" "$name.got" >"$name.diff"; then
    ok
    echo "$name: $(head -1 "$name.imp"); $(tr '\n' ' ' <"$name.want")"
  else
    bad "$name: import differs from /usr/bin/mtrace (< glibc, > import):"
    sed 's/^/  | /' "$name.diff" >&2
  fi
}

# replayed NAME: the import replayed against glibc and bump, one pass
# each: ok, ops = events, 1 thread, the trace's peak as trace stats says
replayed() {
  local name=$1 want
  want=$(awk '/^events:/ { e = $2 } /^peak live:/ { p = $3 } END { print "ok", e, 1, p }' "$name.stats")
  "$as" replay "$name.ast" -a glibc,bump -r 1 --min-time 0 --no-plot -q -o "$name.rp" >/dev/null 2>&1
  python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print(r["module"], r["status"], r["ops"], r["threads"], r["trace_live_bytes_peak"])' \
    "$name.rp/trials.csv" >"$name.rp.got" 2>/dev/null
  printf 'glibc %s\nbump %s\n' "$want" "$want" | diff - "$name.rp.got" >/dev/null && ok ||
    bad "$name: replay (module status ops threads peak): want $want, got $(tr '\n' ';' <"$name.rp.got")"
}

on="" logged prog "$prog"
grep -q '^frees_unseen 1$' prog.want && ok || bad "prog: want one free of a block from before tracing"
logged perl perl -e 'my %h; $h{$_} = "v" x ($_ % 90) for 1 .. 5000; delete $h{$_} for 1 .. 2000;
  my @k = sort keys %h; print scalar(@k), "\n"'
replayed perl
if command -v git >/dev/null; then
  git init -q repo && for i in $(seq 1 30); do echo "$i" >"repo/f$i"; done
  logged git git -C repo status --porcelain
fi
seq 1 300000 | awk '{ print ($1 * 7919) % 1000003 }' >nums
logged sort sort --parallel=2 -S 64M -o sorted nums
command -v mawk >/dev/null &&
  logged mawk mawk 'NR <= 20000 { a[$1 % 2000] = a[$1 % 2000] " " $1 } END { print length(a) }' nums
if [ -x /usr/bin/python3 ]; then
  PYTHONMALLOC=malloc logged python3 /usr/bin/python3 -c 'import threading
def w():
    d = [bytes(i % 100) for i in range(5000)]
ts = [threading.Thread(target=w) for _ in range(3)]
for t in ts: t.start()
for t in ts: t.join()'
  replayed python3
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
