#!/usr/bin/env bash
# test_faults.sh - fault injection: each case provokes one failure the
# harness must survive without a hang, a lost or mixed result or a stray
# process (docs/reliability.md lists the cases), and checks the outcome.
# Usage: test_faults.sh ALLOCSCOPE MODS_DIR
set -u
cli=$1 mods=$2
pass=0 fail=0
tmp=$(mktemp -d /tmp/as-faults-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
wl=random:ops=2000,live=100
q=(-q --no-plot)

ok() { pass=$((pass+1)); echo "ok: $*"; }
bad() { fail=$((fail+1)); echo "FAILED: $*"; }
# check DESCRIPTION COMMAND...: the command must succeed
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# a run's exit code and stderr in $rc, $err_text
as() { "$cli" "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"; rc=$?; err_text=$(cat "$tmp/err.txt"); }
lines() { wc -l <"$1" | tr -d ' '; }

# --- a results folder belongs to one run ---------------------------------
case_reuse() {
  local d=$tmp/reuse
  as run "${q[@]}" -a glibc,null -w $wl --latency 1 -o "$d"
  check "first run into a new folder" test "$rc" = 0
  as run "${q[@]}" -a null -w $wl -o "$d"
  check "second run into it refused (exit 2, one line naming --force)" \
    test "$rc" = 2 -a "$(lines "$tmp/err.txt")" = 1
  check "  ... and says why" grep -q "not empty.*--force" "$tmp/err.txt"
  check "  ... and the first run's rows are intact" grep -q "^1,0,null" "$d/trials.csv"
  as run "${q[@]}" -a null -w $wl --force -o "$d"
  check "--force replaces it" test "$rc" = 0
  check "  ... with no stale file of the earlier run" test ! -e "$d/latency.csv"
  check "  ... and no stale row" test "$(lines "$d/trials.csv")" = 2
  mkdir -p "$tmp/notours" && echo keep >"$tmp/notours/thesis.tex"
  as run "${q[@]}" -a null -w $wl --force -o "$tmp/notours"
  check "--force refuses a folder that is not allocscope's" \
    test "$rc" = 2 -a -e "$tmp/notours/thesis.tex"
  as suite threshold --quick "${q[@]}" -a null -o "$d"
  check "suite -o of a run's folder refused" test "$rc" = 2
}

case_concurrent() {
  local d=$tmp/conc
  "$cli" run "${q[@]}" -a "$mods/broken_hang.so" -w $wl --timeout 3 -o "$d" \
    >/dev/null 2>&1 &
  local first=$!
  for _ in $(seq 50); do [ -e "$d/run.args" ] && break; sleep 0.1; done
  as run "${q[@]}" -a null -w $wl --force -o "$d"
  check "a second run into a folder in use is refused, even with --force" \
    test "$rc" = 2 -a "$(lines "$tmp/err.txt")" = 1
  check "  ... naming the other run" grep -q "another allocscope run is writing there" \
    "$tmp/err.txt"
  as run --resume "$d"
  check "  ... and so is --resume of it" test "$rc" = 2
  wait $first
  check "the first run's results are its own" grep -q "broken_hang" "$d/trials.csv"
  as run --resume "$d"
  check "the finished folder resumes (nothing to do)" test "$rc" = 1
}

for c in reuse concurrent; do "case_$c"; done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
