#!/usr/bin/env bash
# test_exec.sh - real Debian programs (python3, sqlite3, git, perl) run under
# `allocscope exec` on each module given, and must print exactly what they
# print on the system malloc. Modules without individual free (bump) get a
# short program only. A program that is not installed is a visible skip of
# its runs; with none of them installed the test exits 77 (skipped).
# Usage: test_exec.sh ALLOCSCOPE SRC_DIR MODULE...
set -u
cli=$1 src=$2
shift 2
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Each program is a function taking an optional command prefix.
p_python3() { "$@" /usr/bin/python3 -c "import json,hashlib
d=[{'k':i,'v':str(i)*3} for i in range(20000)]
s=json.dumps(d)
print(hashlib.sha256(s.encode()).hexdigest(), len(json.loads(s)))"; }
p_sqlite3() { "$@" sqlite3 :memory: "create table t(a,b);
with recursive c(x) as (select 1 union all select x+1 from c where x<20000)
insert into t select x, printf('%08d', x*7) from c;
create index ti on t(b); select count(*), sum(a), max(b) from t;"; }
p_git() { "$@" git -C "$src" log --stat -3 --format=%H%n%s; }
p_perl() { "$@" perl -e 'my %h; $h{$_} = "x" x ($_ % 100) for 1..50000;
my $t = 0; $t += length($h{$_}) for keys %h; print "$t\n"'; }
p_short() { "$@" /usr/bin/python3 -c 'print(sum(range(1000)))'; }
progs=(python3 sqlite3 git perl)

# the binary a program runs (python3 by its full path, as p_python3 does)
bin_of() { case $1 in python3|short) echo /usr/bin/python3 ;; *) echo "$1" ;; esac; }

runone() { # module program
  local m=$1 name=$2 bin path
  bin=$(bin_of "$2")
  # (bash's command -v also names a file it cannot execute)
  if ! path=$(command -v "$bin") || [ ! -x "$path" ]; then
    echo "skipped: $name on $m ($bin is not installed; scripts/quickstart test installs it)"
    skip=$((skip+1)); return
  fi
  "p_$name" >"$tmp/plain.out" 2>&1
  local prc=$?
  "p_$name" "$cli" exec -a "$m" -- >"$tmp/mod.out" 2>"$tmp/mod.err"
  local mrc=$?
  # the program must work on the system malloc, or equal output proves nothing
  if [ $prc -ne 0 ]; then
    fail=$((fail+1))
    echo "check failed: $name exits $prc on the system malloc:" >&2
    head -3 "$tmp/plain.out" >&2
  elif [ $mrc -eq 0 ] && cmp -s "$tmp/plain.out" "$tmp/mod.out"; then
    pass=$((pass+1))
  else
    fail=$((fail+1))
    echo "check failed: $name on $m: exit $mrc (plain $prc), output differs:" >&2
    diff "$tmp/plain.out" "$tmp/mod.out" | head -5 >&2
    head -3 "$tmp/mod.err" >&2
  fi
}

for m in "$@"; do
  caps=$("$cli" list 2>/dev/null | awk -v m="$m" '$1==m {getline; print; exit}')
  if [[ "$m" != *.so && "$caps" != *free* ]]; then
    runone "$m" short
    continue
  fi
  for p in "${progs[@]}"; do
    runone "$m" "$p"
  done
done

ran=$((pass+fail))
# --stats reports the module and per-process figures; a bad module is refused
if [ -x /usr/bin/python3 ]; then
  out=$("$cli" exec -a glibc --stats -- /usr/bin/python3 -c 'print(1)' 2>&1)
  if [[ "$out" == *module=glibc* && "$out" == *rss_peak_kib=* && "$out" == *module_heap_bytes=* && "$out" =~ mmap_calls=[1-9] ]]; then pass=$((pass+1)); else fail=$((fail+1)); echo "check failed: --stats output: $out" >&2; fi
else
  echo "skipped: --stats (/usr/bin/python3 is not installed)"
fi
"$cli" exec -a nosuchmodule -- true 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q nosuchmodule "$tmp/err"; then pass=$((pass+1)); else fail=$((fail+1)); echo "check failed: bad module rc=$rc" >&2; fi
"$cli" exec -a glibc -- /nonexistent/prog 2>"$tmp/err"; rc=$?
if [ $rc -eq 127 ] && grep -q /nonexistent/prog "$tmp/err"; then pass=$((pass+1)); else fail=$((fail+1)); echo "check failed: missing program rc=$rc" >&2; fi

if [ "$ran" -eq 0 ] && [ "$fail" -eq 0 ]; then
  echo "skipped: no real program ran ($skip runs skipped: programs not installed)"
  echo "$pass passed, $fail failed"
  exit 77
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
