#!/usr/bin/env bash
# test_capture_count.sh - captures of real programs held against the
# programs' own count of their calls (tests/count_shim.so, preloaded ahead
# of the capture library in every process and image: no spool, no
# sequence numbers, no conversion). GROUP tools: perl (hashes, strings,
# system() forking a child that execs, a forked child freeing its parent's
# hash), git commit (its children), gcc compiling and linking (cc1, as,
# collect2, ld), cmake (C++: operator new and delete through libstdc++).
# GROUP threads: sort on two threads, make -j2 -C (a chdir, then compilers
# side by side), mawk, python3 with threads and a subprocess. Two ctest
# entries of a few seconds each. Each image's trace against its count:
# calls of each kind, bytes requested, aligned allocations, threads, the
# blocks left at exit and their bytes, and the peak live bytes where the
# image has one thread. Then the main traces replayed against glibc and
# bump (serialized where the trace has threads: bump is not thread-safe),
# and a child image with unknown frees on glibc: status ok, ops = events
# but unknown frees, threads and the trace's peak as trace stats says.
# The capture's -o is relative, as a user types it: until review-h the
# spool folder went to the program as such, and git -C's children (after
# its chdir) were not traced. A program that is not installed is skipped;
# exits 77 when none of the group is.
# Usage: test_capture_count.sh ALLOCSCOPE COUNT_SHIM GROUP
set -u
as=$(readlink -f "$1") shim=$(readlink -f "$2") group=$3
. "$(dirname "$0")/cli_expect.sh"
. "$(dirname "$0")/count_compare.sh"
cd "$tmp" || exit 1
ran=0

# replayed TRACE MODULE [--serialize]: TRACE against MODULE, one pass:
# status ok, ops = events but the frees of unknown blocks (a replay does
# nothing for those), threads (1 serialized), the trace's peak
replayed() {
  local trace=$1 m=$2 want
  shift 2
  "$as" trace stats "$trace" >"$trace.stats0" 2>&1 || { bad "$trace: trace stats"; return; }
  want=$(awk -v m="$m" -v ser=$# '/^events:/ { e = $2 } /^  free_unknown / { u = $2 }
    /^threads:/ { t = ser ? 1 : $2 } /^peak live:/ { p = $3 } END { print m, "ok", e - u, t, p }' \
    "$trace.stats0")
  "$as" replay "$trace" -a "$m" "$@" -r 1 --min-time 0 --no-plot -q -o "$trace.$m" >"$tmp/rp.out" 2>&1
  python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print(r["module"], r["status"], r["ops"], r["threads"], r["trace_live_bytes_peak"])' \
    "$trace.$m/trials.csv" >"$tmp/rp.got" 2>/dev/null
  if [ "$want" = "$(cat "$tmp/rp.got")" ]; then ok; else
    bad "$(basename "$trace"): replay (module status ops threads peak) want: $want," \
      "got: $(cat "$tmp/rp.got") $(head -3 "$tmp/rp.out")"
  fi
}

# run NAME [--threads] CMD...: counted, then the main trace replayed on
# glibc and bump, and the first child image with frees of its parent's
# blocks (unknown frees) on glibc
run() {
  local name=$1 f
  ran=$((ran + 1))
  counted "$@"
  [ -s "$tmp/$name.ast" ] || return
  replayed "$tmp/$name.ast" glibc
  if grep -q '^threads: *1$' "$tmp/$name.ast.stats0"; then
    replayed "$tmp/$name.ast" bump
  else
    replayed "$tmp/$name.ast" bump --serialize
  fi
  f=$(awk '/\(child process\)/ { t = $1; sub(/:$/, "", t) } /unknown frees [1-9]/ && t { print t; exit }' \
    "$tmp/$name.cap")
  [ -n "$f" ] && replayed "$(cd "$tmp" && readlink -f "$f")" glibc
  echo "$name: $images images; main trace: $(awk '/^  (alloc|calloc|realloc|free) / { printf "%s %s ", $1, $2 }
    /^threads:/ { printf "threads %s", $2 }' "$tmp/$name.ast.stats0")${f:+; replayed child $(basename "$f")}"
}

if [ "$group" = tools ] && command -v perl >/dev/null; then
  run perl perl -e 'my %h; for my $i (1 .. 20000) { $h{"k$i"} = "v" x ($i % 100) }
    my @k = sort keys %h; delete $h{$_} for @k[0 .. 9999]; my $s = join(",", @k);
    system("true") == 0 or die; print scalar(keys %h), " ", length($s), "\n";
    if (fork() == 0) { %h = (); my @x = map { "a" x $_ } 1 .. 300; exit 0 } wait;'
fi
if [ "$group" = tools ] && command -v git >/dev/null; then
  git init -q repo && for i in $(seq 1 40); do echo "line $i" >"repo/f$i"; done
  git -C repo add . >/dev/null 2>&1
  run git git -C repo -c user.name=t -c user.email=t@t -c gc.auto=0 commit -q -m one
fi
if [ "$group" = tools ] && command -v gcc >/dev/null; then
  printf '#include <stdio.h>\nstatic int f(int x) { return x * 3; }\nint main(void) { printf("%%d\\n", f(14)); return 0; }\n' >p.c
  run gcc gcc -O2 -o p p.c
fi
if [ "$group" = tools ] && command -v cmake >/dev/null; then
  run cmake cmake -E sha256sum "$shim"
fi
[ "$group" = threads ] && seq 1 400000 | awk '{ print ($1 * 7919) % 1000003 }' >nums
if [ "$group" = threads ] && command -v sort >/dev/null; then
  run sort --threads sort --parallel=2 -S 64M -o sorted nums
fi
if [ "$group" = threads ] && command -v make >/dev/null && command -v gcc >/dev/null; then
  mkdir mk && for i in 1 2 3; do printf 'int f%d(int x) { return x * %d; }\n' $i $i >"mk/f$i.c"; done
  printf 'all: f1.o f2.o f3.o\n%%.o: %%.c\n\tgcc -O2 -c $< -o $@\n' >mk/Makefile
  run make make -s -j2 -C mk
fi
if [ "$group" = threads ] && command -v mawk >/dev/null; then
  run mawk mawk 'NR <= 40000 { a[$1 % 3000] = a[$1 % 3000] " " $1; n++ } END { for (k in a) m += length(a[k]); print n, m }' nums
fi
if [ "$group" = threads ] && [ -x /usr/bin/python3 ]; then
  cat >t.py <<'PY'
import subprocess, threading
def work(n):
    d = {}
    for i in range(n):
        d[i] = bytearray(i % 300) * 2
        if i % 3 == 0:
            d.pop(i // 2, None)
ts = [threading.Thread(target=work, args=(3000,)) for _ in range(3)]
for t in ts:
    t.start()
subprocess.run(["true"])
for t in ts:
    t.join()
PY
  run python3 --threads env PYTHONMALLOC=malloc /usr/bin/python3 t.py
fi
if [ "$ran" -eq 0 ]; then
  echo "skipped: none of the $group group (perl, git, gcc, cmake; sort, make, mawk, python3) is installed"
  echo "0 passed, 0 failed"
  exit 77
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
