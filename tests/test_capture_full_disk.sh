#!/usr/bin/env bash
# test_capture_full_disk.sh - `allocscope capture` whose trace and spool
# fill the disk while the program runs (a 2 MiB tmpfs, in a mount
# namespace of its own): exit 2 with a line saying the trace was not
# written, and nothing left on the disk: no trace, no temp file, no spool
# folder. Until session 25 a trace whose conversion failed while the
# program ran kept its TRACE.PID.GEN.tmp.PID file (520 KiB here).
# Needs root (mount); else skipped.
# usage: test_capture_full_disk.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
py=/usr/bin/python3
skip() { echo "skipped: $1"; echo "0 passed, 0 failed"; exit 77; }
[ -x "$py" ] || skip "no $py"
[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null || skip "needs root and unshare (a tmpfs mount)"
mkdir "$tmp/m"
cat >"$tmp/p.py" <<'PY'
import time
t = time.time()
while time.time() - t < 0.5:
    x = [bytearray(100) for i in range(1000)]
PY
for i in 1 2 3; do
  unshare --mount --propagation private bash -c '
    mount -t tmpfs -o size=2m tmpfs "$1" || exit 77
    PYTHONMALLOC=malloc "$2" capture -o "$1/t.ast" -- "$3" "$4" >/dev/null 2>"$5/err"
    echo $? >"$5/rc"
    ls -A "$1" >"$5/left"' _ "$tmp/m" "$as" "$py" "$tmp/p.py" "$tmp"
  [ $? -eq 77 ] && skip "cannot mount a tmpfs here"
  rc=$(cat "$tmp/rc")
  [ "$rc" -eq 2 ] && ok || bad "run $i: exit $rc, want 2: $(head -2 "$tmp/err")"
  grep -q "t\.ast.*not written" "$tmp/err" && ok ||
    bad "run $i: no line saying t.ast was not written: $(head -2 "$tmp/err")"
  [ ! -s "$tmp/left" ] && ok || bad "run $i: left on the disk: $(tr '\n' ' ' <"$tmp/left")"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
