#!/usr/bin/env bash
# test_exec_counts.sh - `allocscope exec --stats` counts a real program's
# malloc-family calls as the program made them, kind by kind, against
# tests/count_shim.so preloaded ahead of the exec shim in the same run (so
# the two see the same calls; a second run of python3 makes 10-30 calls more
# or fewer). Until session 32 the block had one `calls` line, the calls that
# reached the module: python3 -c 'print(1)' showed calls=2306 where an
# outside count (ltrace, an LD_PRELOAD counter) finds 2525, the 223
# free(NULL) and the frees of bootstrap blocks left out, unsaid.
# Programs: sqlite3, python3 (PYTHONMALLOC=malloc), git; with none of them
# installed the test exits 77 (skipped).
# Usage: test_exec_counts.sh ALLOCSCOPE COUNT_SHIM SRC_DIR
set -u
cli=$1 shim=$2 src=$3
pass=0 fail=0 ran=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad() { fail=$((fail + 1)); echo "check failed: $*" >&2; }

# the shim's counters of image FILE as "name value" lines (count_shim.c's enum)
cnt() {
  od -An -tu8 -v "$1" | tr -s ' ' '\n' | sed '/^$/d' | paste -d' ' - - - - - - - - - - - - - - - - - - - - - - |
    awk '{ print "malloc_calls", $1; print "calloc_calls", $2
           print "realloc_calls", $3 + $4 + $5 + $6 + $10
           print "free_calls", $7 + $8 + $9; print "free_null_calls", $8
           print "aligned_calls", $11 + $12 + $13 + $14 + $15
           print "calls", $1 + $2 + $3 + $4 + $5 + $6 + $10 + $7 + $8 + $9 + $11 + $12 + $13 + $14 + $15
           print "overflow", $22 }'
}

# check NAME CMD...: CMD under exec --stats on glibc, count_shim.so ahead of
# the exec shim (put there by sh, which the exec shim runs as well)
check() {
  local name=$1 pid f k want got
  shift
  rm -rf "$tmp/cnt" && mkdir "$tmp/cnt"
  ASCOUNT_DIR="$tmp/cnt" timeout 120 "$cli" exec -a glibc --stats -- \
    /bin/sh -c 'LD_PRELOAD="$0 $LD_PRELOAD" exec "$@"' "$shim" "$@" >/dev/null 2>"$tmp/st.err"
  pid=$(sed -n 's/^  pid=//p' "$tmp/st.err")
  # the program's image: the last of its process's count files
  f=$(ls "$tmp/cnt/$pid".*.cnt 2>/dev/null | sort -t. -k2,2n | tail -1)
  if [ -z "$pid" ] || [ -z "$f" ] || ! grep -q "processes reported: 1$" "$tmp/st.err"; then
    bad "$name: no block or no count (pid '${pid}'): $(head -c 400 "$tmp/st.err")"
    return
  fi
  ran=$((ran + 1))
  cnt "$f" >"$tmp/want"
  if [ "$(awk '$1 == "overflow" { print $2 }' "$tmp/want")" != 0 ]; then
    bad "$name: count_shim's table overflowed"
    return
  fi
  for k in calls malloc_calls free_calls free_null_calls calloc_calls realloc_calls aligned_calls; do
    want=$(awk -v k=$k '$1 == k { print $2 }' "$tmp/want")
    got=$(sed -n "s/^  $k=//p" "$tmp/st.err")
    if [ "$got" = "$want" ]; then
      pass=$((pass + 1))
    else
      bad "$name: $k=${got:-missing} under exec --stats, $want counted in the program"
    fi
  done
  echo "$name: $(grep -E '^  (calls|free_null_calls)=' "$tmp/st.err" | tr -d ' ' | tr '\n' ' ')"
}

if command -v sqlite3 >/dev/null; then
  check sqlite3 sqlite3 :memory: "create table t(a,b);
with recursive c(x) as (select 1 union all select x+1 from c where x<20000)
insert into t select x, printf('%08d', x*7) from c;
create index ti on t(b); select count(*), sum(a), max(b) from t;"
fi
if [ -x /usr/bin/python3 ]; then
  PYTHONMALLOC=malloc check python3 /usr/bin/python3 -c "import json
print(len(json.dumps([{'k': i, 'v': str(i)} for i in range(20000)])))"
fi
if command -v git >/dev/null && git -C "$src" rev-parse -q --verify HEAD >/dev/null 2>&1; then
  check git git -C "$src" log --stat -3
fi
if [ $ran -eq 0 ] && [ $fail -eq 0 ]; then
  echo "skipped: none of sqlite3, /usr/bin/python3, git (with this checkout) to run"
  echo "0 passed, 0 failed"
  exit 77
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
