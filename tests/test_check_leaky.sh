#!/usr/bin/env bash
# test_check_leaky.sh - `allocscope check` on tests/mods/leaky.c, a module
# that is right in every way but that its free does nothing: the check
# exits 1 with free_returns, and only it, failing, naming the RSS growth.
# Usage: test_check_leaky.sh ALLOCSCOPE MODULE.so
set -u
cli=$1 mod=$2
out=$("$cli" check "$mod" 2>&1)
rc=$?
fails=$(grep -c '^  FAIL' <<<"$out")
why=$(grep '^  FAIL free_returns' <<<"$out")
if [ $rc -eq 1 ] && [ "$fails" -eq 1 ] && grep -q 'freed memory is not used again: RSS grew' <<<"$why"; then
  echo "ok: $why"
  echo "1 passed, 0 failed"
  exit 0
fi
echo "check failed: allocscope check $mod: exit $rc, $fails failing checks (want 1: free_returns):" >&2
echo "$out" >&2
echo "0 passed, 1 failed"
exit 1
