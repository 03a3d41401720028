#!/usr/bin/env bash
# test_check_create.sh - `allocscope check` when create() fails. Params the
# module refuses (a misspelt key, a bad value) are bad input as in `run`:
# one line on stderr with the did-you-mean, exit 2, no check run (until now
# 15 FAIL lines "create failed: unknown key ...", "0 passed, 15 failed",
# exit 1). A create that crashes is the module's fault: its checks fail
# (exit 1), and those it does not offer (tests/mods/broken.c has no free,
# reset or threads) are SKIPs, decided before any instance is created
# (until now: FAIL, crashed).
# Usage: test_check_create.sh ALLOCSCOPE MODS_DIR
set -u
as=$1 mods=$2
. "$(dirname "$0")/cli_expect.sh"

# one line, exit 2, the suggestion; glibc's params and refmalloc's (create)
for spec in glibc:mmap_treshold=1 refmalloc:top_pat=1 refmalloc:mmap_threshold=abc; do
  "$as" check "$spec" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "^allocscope check: module " "$tmp/err"; then ok; else
    bad "check $spec: exit $rc (want 2), stdout $(wc -l <"$tmp/out") lines (want 0):"
    sed 's/^/  | /' "$tmp/out" "$tmp/err" >&2
  fi
done
expect 2 "unknown key 'mmap_treshold'.*did you mean 'mmap_threshold'\?" check glibc:mmap_treshold=1
expect 2 "unknown key 'top_pat'.*did you mean 'top_pad'\?" check refmalloc:top_pat=1
refuse 2 "did you mean" check refmalloc:zzz=1
# the same module with good params still runs every check
expect 0 "refmalloc: [0-9]+ passed, 0 failed" check --stress-ops 2000 refmalloc:top_pad=64k

# a key the module does not declare is refused by the harness, whatever
# the module's create() does with it: flat.so declares no params and
# ignores its params string, so `flat.so:typo=1` ran as if no params were
# given (left alone until session 25), in check, run and exec alike; a
# declared module's misspelt key names its params
flat=$mods/flat.so
nodecl="module flat .*: unknown key 'typo' \(it declares no params\)"
expect 2 "$nodecl" check "$flat:typo=1"
expect 2 "$nodecl" run -q --no-plot -r 1 -a "$flat:typo=1" -w random:ops=100 -o "$tmp/r"
[ ! -e "$tmp/r/trials.csv" ] && ok || bad "run of $flat:typo=1 wrote trials.csv"
expect 2 "$nodecl" exec -a "$flat:typo=1" -- true
expect 2 "unknown key 'zzz' \(known: mmap_threshold .*top_pad" check refmalloc:zzz=1
# without the typo it runs (flat overlaps blocks by design: no quick check)
expect 0 "" run -q --no-plot --no-quick-check -r 1 -a "$flat" -w random:ops=100 -o "$tmp/r2"

# create crashes: the checks fail, the ones not offered are skipped
"$as" check --timeout 5 "$mods/broken_create_crash.so" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "^  SKIP reset " "$tmp/out" && grep -q "^  SKIP threads " "$tmp/out" &&
  grep -q "^  SKIP free_reuse " "$tmp/out" && grep -q "^  FAIL alignment .*crashed" "$tmp/out"; then
  ok
else
  bad "check broken_create_crash.so: exit $rc (want 1), reset/threads/free_reuse not SKIP:"
  sed 's/^/  | /' "$tmp/out" >&2
fi


# a module whose checks fail does not stop the next module's: `check
# broken_create_crash.so null` checks null too, exit 1 (session 36's
# first parse-every-spec-first change stopped after the first failure)
"$as" check --timeout 5 "$mods/broken_create_crash.so" null >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "^null: [0-9]* passed, 0 failed" "$tmp/out"; then ok; else
  bad "check broken_create_crash.so null: exit $rc (want 1), null not checked:"
  sed 's/^/  | /' "$tmp/out" | tail -5 >&2
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
