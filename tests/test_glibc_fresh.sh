#!/usr/bin/env bash
# test_glibc_fresh.sh - the glibc module's trial starts on the heap a fresh
# process has (harness/heapstart.h), whatever the harness did before it.
# 1. Against a fresh process: tests/glibc_fresh_prog runs a random stream of
#    mallocs and frees under strace and writes it as an mtrace log; imported
#    and replayed on glibc, the trial's brk, mmap and munmap calls equal the
#    program's after its first malloc (which learns the break and grows the
#    heap: the worker's heap did that long before its trial). Before, the same
#    streams gave 267, 12-14, 189 and 168-185 brk calls (by where
#    allocscope was installed) where the program made 263, 16, 201 and 196.
#    The same with glibc's params (top_pad keeps a large top, which the
#    worker must take in blocks below the mmap threshold to start the heap
#    at a page: 24 brk calls and 3156 mmaps before, the program's 28 and
#    2911).
# 2. Wherever allocscope is installed: the same trial from two copies of
#    the build at paths of other lengths gives the same brk calls and heap
#    peak (before: 225, 236 and 276 brk calls for one trial).
# Exits 77 without strace.
# Usage: test_glibc_fresh.sh ALLOCSCOPE FRESH_PROG
set -u
as=$(readlink -f "$1") prog=$(readlink -f "$2")
. "$(dirname "$0")/cli_expect.sh"
if ! command -v strace >/dev/null; then
  echo "skipped: needs strace (scripts/quickstart test installs it)"
  echo "0 passed, 0 failed"
  exit 77
fi
cd "$tmp" || exit 1

# col FILE COLUMN: trials.csv's first row's value
col() { python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1])))[sys.argv[2]])' "$@"; }

# fresh OPS MIN MAX: the program's brk, mmap and munmap calls after its
# mark, its first malloc's two brk calls left out (checked to be brk(NULL)
# and a growth); "x" when the trace is not so
fresh() {
  strace -e trace=brk,mmap,munmap,getppid -o strace.log "$prog" "$@" > fresh.log || return 1
  awk '/^getppid/ { on = 1; next }
       on && /^brk\(/ { n++; if (n == 1 && !/brk\(NULL\)/) bad = 1; if (n == 2 && /brk\(NULL\)/) bad = 1 }
       on && /^mmap\(/ { m++ }
       on && /^munmap\(/ { u++ }
       END { if (bad || n < 2) print "x"; else print n - 2, m + 0, u + 0 }' strace.log
}

# KEY=VALUE (glibc's param, GLIBC_TUNABLES for the program; - for none) and a stream
while read -r param s; do
  tun=
  [ "$param" != - ] && tun=glibc.malloc.$param
  want=$(GLIBC_TUNABLES=$tun fresh $s)
  if [ -z "$want" ] || [ "$want" = x ]; then
    bad "$param $s: the program's strace has no mark or not the first malloc's two brk calls"
    sed 's/^/  | /' strace.log | head -5 >&2; continue
  fi
  mod=glibc
  [ "$param" != - ] && mod=glibc:$param
  rm -rf out
  if "$as" trace import mtrace fresh.log -o fresh.ast >/dev/null 2>import.err &&
     "$as" replay -a "$mod" fresh.ast -r 1 -q --no-plot --min-time 0 -o out >/dev/null 2>run.err; then
    got="$(col out/trials.csv brk_calls) $(col out/trials.csv mmap_calls) $(col out/trials.csv munmap_calls)"
    if [ "$got" = "$want" ]; then ok; else
      bad "$mod, stream $s: the trial made brk, mmap, munmap $got; the fresh process $want"; fi
  else
    bad "$mod, stream $s: import or replay failed"; cat import.err run.err >&2
  fi
done <<'EOF2'
- 20000 16 300000
- 50000 16 4000
- 5000 1000 600000
- 20000 16 100000
top_pad=1048576 20000 16 300000
mmap_threshold=32768 20000 16 100000
EOF2

# two installs at paths of other lengths, and the build itself
b=$(dirname "$(dirname "$as")")
mkdir -p p/b long-path-of-another-length/build-directory
for d in p/b long-path-of-another-length/build-directory; do
  cp -r "$b/harness" "$b/allocators" "$d/"
done
seen=
for cli in "$as" p/b/harness/allocscope long-path-of-another-length/build-directory/harness/allocscope; do
  rm -rf out
  if "$cli" run -a glibc -w random:min=16,max=300000,live=200,ops=20000 -r 1 -q --no-plot \
       --min-time 0 -o out >/dev/null 2>run.err; then
    seen="$seen $(col out/trials.csv brk_calls)/$(col out/trials.csv heap_size_peak_kib)"
  else
    bad "$cli: run failed"; cat run.err >&2
  fi
done
set -- $seen
if [ $# -eq 3 ] && [ "$1" = "$2" ] && [ "$2" = "$3" ]; then ok; else
  bad "brk calls/heap peak by install path:$seen"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
