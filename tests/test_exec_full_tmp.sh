#!/usr/bin/env bash
# test_exec_full_tmp.sh - `allocscope exec` whose TMPDIR (where the
# processes' stats blocks go) is full: refused in one line naming the
# stats file and the reason, exit 2, the program not run. Until session
# 25 the program ran, no block could be written, and exec blamed the
# program: "ended as python3, an image that did not load the shim (an
# exec that dropped LD_PRELOAD ...)", exit 1. Needs root (a full tmpfs in
# a mount namespace of its own); else skipped.
# usage: test_exec_full_tmp.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
skip() { echo "skipped: $1"; echo "0 passed, 0 failed"; exit 77; }
[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null || skip "needs root and unshare (a tmpfs mount)"
mkdir "$tmp/m"
unshare --mount --propagation private bash -c '
  mount -t tmpfs -o size=64k tmpfs "$1" || exit 77
  dd if=/dev/zero of="$1/fill" bs=1k count=64 2>/dev/null
  TMPDIR="$1" "$2" exec -a refmalloc -- sh -c "touch $3/ran" >/dev/null 2>"$3/err"
  echo $? >"$3/rc"' _ "$tmp/m" "$as" "$tmp"
[ $? -eq 77 ] && skip "cannot mount a tmpfs here"
rc=$(cat "$tmp/rc")
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "no room for the stats file: No space left on device" "$tmp/err" && ok ||
  { bad "exit $rc, want 2 and one line naming the stats file:"; sed 's/^/  | /' "$tmp/err" | head -3 >&2; }
[ ! -e "$tmp/ran" ] && ok || bad "the program ran"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
