#!/usr/bin/env bash
# test_check_broken.sh - `allocscope check` on tests/mods/broken_realloc.c, a
# module whose realloc grows a block in place over its neighbour: the check
# must exit 1 with the stress check, and only it, failing, and say what it
# found (a block's contents overwritten, or one handed out twice).
# Usage: test_check_broken.sh ALLOCSCOPE MODULE.so
set -u
cli=$1 mod=$2
out=$("$cli" check "$mod" 2>&1)
rc=$?
fails=$(grep -c '^  FAIL' <<<"$out")
why=$(grep '^  FAIL stress' <<<"$out")
if [ $rc -eq 1 ] && [ "$fails" -eq 1 ] &&
  grep -Eq 'overwritten|overlaps|lost contents|handed out' <<<"$why"; then
  echo "ok: $why"
  echo "1 passed, 0 failed"
  exit 0
fi
echo "check failed: allocscope check $mod: exit $rc, $fails failing checks (want 1: stress):" >&2
echo "$out" >&2
echo "0 passed, 1 failed"
exit 1
