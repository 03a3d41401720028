#!/usr/bin/env bash
# test_mtrace_reopen.sh - an mtrace log that a child process opened again
# while the program still wrote it: python3 runs /bin/true through
# subprocess with MALLOC_TRACE and the preload that starts mtrace() in every
# image, so true's mtrace() truncates the log (fopen "w") and python3 goes
# on writing at its own offset, leaving a hole of NUL bytes. The import must
# refuse it naming the hole and the reopening (until session 32 it blamed
# "a fork after mtrace() started", which python3 -c 'subprocess.run(...)'
# users did not see they made), and --lenient must still import it.
# Usage: test_mtrace_reopen.sh ALLOCSCOPE MTRACE_ON_SO
set -u
cli=$1 on=$2
dbg=/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0
py=/usr/bin/python3
pass=0 fail=0
tmp=$(mktemp -d /tmp/as_test_mtrace_reopen.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bad() { fail=$((fail + 1)); echo "check failed: $*" >&2; }

if [ ! -r "$dbg" ] || [ ! -x "$py" ] || [ ! -x /bin/true ]; then
  echo "skipped: needs $dbg, $py and /bin/true"; echo "0 passed, 0 failed"; exit 77
fi
MALLOC_TRACE=$tmp/sub.mtrace PYTHONMALLOC=malloc LD_PRELOAD="$dbg $on" "$py" -c 'import subprocess
subprocess.run(["/bin/true"])
print(len([str(i) for i in range(20000)]))' >"$tmp/out" 2>&1 </dev/null
if [ "$(tr -cd '\000' <"$tmp/sub.mtrace" | wc -c)" -gt 0 ]; then
  pass=$((pass + 1))
else
  bad "the log holds no NUL byte: true's mtrace() did not open it again ($(head -c 200 "$tmp/out"))"
fi
"$cli" trace import mtrace "$tmp/sub.mtrace" -o "$tmp/sub.ast" >"$tmp/imp" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q 'NUL bytes, a hole in the log: it was opened again' "$tmp/imp" &&
  [ ! -e "$tmp/sub.ast" ]; then
  pass=$((pass + 1))
else
  bad "import: rc=$rc (want 2 and the hole named, no output): $(cat "$tmp/imp")"
fi
if "$cli" trace import mtrace --lenient "$tmp/sub.mtrace" -o "$tmp/sub.ast" >"$tmp/imp" 2>&1 &&
  grep -q ' events from ' "$tmp/imp"; then
  pass=$((pass + 1))
else
  bad "--lenient import: $(cat "$tmp/imp")"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
