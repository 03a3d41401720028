#!/usr/bin/env bash
# test_exec_escape.sh - a program that escapes the preload is never passed
# off as measured. exec: a program that ends in an image without the shim
# (`env -i` drops LD_PRELOAD) fails with one line naming it, unless
# --allow-untraced, and ordinary programs (exit, _exit, exec that keeps the
# preload) give no such line; so does a child process that starts an image
# without the shim (env -i, subprocess with env={}, system after
# os.environ.clear()), but not one whose exec fails; a set-user-ID program run by another user
# (the loader ignores LD_PRELOAD for it) is refused before it runs; a
# statically linked child (no loader at all) is an escape too. capture:
# `env -i` before the program leaves no trace named as the program's, and
# says so in one line.
# Usage: test_exec_escape.sh ALLOCSCOPE
set -u
cli=$1 as=$1
. "$(dirname "$0")/cli_expect.sh"
chmod 755 "$tmp"
py=/usr/bin/python3
if [ ! -x $py ]; then
  echo "skipped: needs $py"; echo "0 passed, 0 failed"; exit 77
fi
prog='x = [bytes(100) for i in range(100000)]'

# exec: env -i drops the shim; python3 ran on glibc, not the module
"$cli" exec -a glibc -- env -i $py -c "$prog" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
  grep -q "^allocscope exec: .*python3.*did not load the shim" "$tmp/err"; then ok
else bad "exec of env -i python3: rc=$rc $(cat "$tmp/err")"; fi
"$cli" exec -a glibc --stats -- env -i $py -c "$prog" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -ne 0 ] && grep -q "did not load the shim" "$tmp/err" &&
  grep -q "processes reported: 0" "$tmp/err"; then ok
else bad "exec --stats of env -i python3: rc=$rc $(cat "$tmp/err")"; fi
"$cli" exec -a glibc --allow-untraced -- env -i $py -c "$prog" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 0 ] && grep -q "did not load the shim" "$tmp/err"; then ok
else bad "exec --allow-untraced of env -i python3: rc=$rc $(cat "$tmp/err")"; fi
# no false alarm: exit, _exit (dash's sh -c), an exec that keeps the preload
# and (a review of this change) a program that clears its environment,
# or leaves by quick_exit, which runs no destructor
clear="$py -c 'import os; os.environ.clear()'"
quick="$py -c 'import ctypes; ctypes.CDLL(None).quick_exit(0)'"
for cmd in "$py -c pass" "sh -c true" "env A=1 $py -c pass" "sh -c 'exec $py -c pass'" "$clear" "$quick"; do
  eval "\"\$cli\" exec -a glibc -- $cmd" >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ]; then ok
  else bad "exec -- $cmd: rc=$rc $(cat "$tmp/err")"; fi
done
# a program's own failure keeps its status
"$cli" exec -a glibc -- sh -c 'exit 3' 2>"$tmp/err"; rc=$?
if [ $rc -eq 3 ] && [ ! -s "$tmp/err" ]; then ok; else bad "exit 3: rc=$rc $(cat "$tmp/err")"; fi

# a child process that escapes (until session 24 unseen): the shim notes an
# exec or spawn whose environment drops it, exec says so in one line and
# fails unless --allow-untraced; an exec that fails is no escape
esc="ran an image without the shim"
"$cli" exec -a glibc -- sh -c 'env -i /bin/true; true' >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
  grep -q "^allocscope exec: 1 process sh started $esc (first: pid [0-9]*, /bin/true, .*--allow-untraced" "$tmp/err"; then ok
else bad "exec of sh -c 'env -i true': rc=$rc $(cat "$tmp/err")"; fi
# more escapes than the reader once kept (64), then an exec that fails: it
# takes its own note back (until a review it stayed counted: 71)
"$cli" exec -a glibc -- sh -c 'for i in $(seq 70); do env -i /bin/true; done; env -i /nonexistent/x 2>/dev/null; true' >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 1 ] && grep -q "^allocscope exec: 70 processes sh started $esc" "$tmp/err"; then ok
else bad "exec of 70 escapes and a failed one: rc=$rc $(cat "$tmp/err")"; fi
# --stats shows the blocks, not the notes (until a review: "escape=PID
# FILE" and "exec_failed=PID" lines printed among them)
"$cli" exec -a glibc --stats -- sh -c 'env -i /bin/true; env -i /nonexistent/x 2>/dev/null; true' >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 1 ] && grep -q "processes reported: 2" "$tmp/err" && grep -q "$esc" "$tmp/err" &&
  ! grep -qE "^ *(escape|exec_failed)=" "$tmp/err"; then ok
else bad "exec --stats of sh -c 'env -i true': rc=$rc $(cat "$tmp/err")"; fi
sub="$py -c 'import subprocess, os; subprocess.run([\"true\"], env={}); subprocess.run([\"true\"])
if os.fork() == 0: os.execve(\"/bin/true\", [\"true\"], {})
os.wait(); os.environ.clear(); os.system(\"true\")'"
eval "\"\$cli\" exec -a glibc -- $sub" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 1 ] && grep -q "^allocscope exec: 3 processes $py started $esc" "$tmp/err"; then ok
else bad "exec of python3 (vfork subprocess, fork+execve, system): rc=$rc $(cat "$tmp/err")"; fi
eval "\"\$cli\" exec -a glibc --allow-untraced -- $sub" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 0 ] && grep -q "$esc" "$tmp/err"; then ok
else bad "exec --allow-untraced of python3: rc=$rc $(cat "$tmp/err")"; fi
for cmd in "sh -c 'env -i /nonexistent/x 2>/dev/null; ls / | wc -l'" \
  "$py -c 'import subprocess; subprocess.run([\"true\"]); subprocess.run(\"true\", shell=True)'"; do
  eval "\"\$cli\" exec -a glibc -- $cmd" >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ]; then ok
  else bad "exec -- $cmd: rc=$rc $(cat "$tmp/err")"; fi
done

# a statically linked child keeps LD_PRELOAD and never loads it (no
# loader runs): until review-h unseen, under exec (it ran on its own
# malloc, exit 0) and under capture (the shell's trace, exit 0, not a word)
printf '#include <stdlib.h>\nint main(void) { char *volatile p = malloc(99); free(p); return 0; }\n' >"$tmp/st.c"
if ! cc -static -o "$tmp/st" "$tmp/st.c" 2>/dev/null; then
  echo "skipped: a statically linked child (cc -static failed: no libc.a?)"
else
  "$cli" exec -a glibc -- sh -c "'$tmp/st'; true" >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "^allocscope exec: 1 process sh started $esc (first: pid [0-9]*, $tmp/st, statically linked" "$tmp/err"; then ok
  else bad "exec of sh -c 'st': rc=$rc $(cat "$tmp/err")"; fi
  # python's subprocess (its own PATH search, then execve)
  (cd "$tmp" && "$cli" capture -o st.ast -- $py -c 'import os, subprocess
subprocess.run(["st"], env=dict(os.environ, PATH=os.getcwd()))' >/dev/null 2>"$tmp/err"); rc=$?
  if [ $rc -eq 0 ] && [ -s "$tmp/st.ast" ] &&
    grep -q "^allocscope capture: 1 process $py started ran an image without the capture library (first: pid [0-9]*, $tmp/st, statically linked.*are in no trace" "$tmp/err"; then ok
  else bad "capture of python3 running st: rc=$rc $(cat "$tmp/err")"; fi
  # found in PATH by the shell; and by execvp
  (cd "$tmp" && PATH="$tmp:$PATH" "$cli" capture -o sh.ast -- sh -c 'st; true' >/dev/null 2>"$tmp/err"); rc=$?
  if [ $rc -eq 0 ] && grep -q "(first: pid [0-9]*, $tmp/st, statically linked" "$tmp/err"; then ok
  else bad "capture of sh -c 'st' (PATH): rc=$rc $(cat "$tmp/err")"; fi
  (cd "$tmp" && PATH="$tmp:$PATH" "$cli" capture -o vp.ast -- sh -c 'env st; true' >/dev/null 2>"$tmp/err"); rc=$?
  if [ $rc -eq 0 ] && grep -q "(first: pid [0-9]*, st, statically linked" "$tmp/err"; then ok
  else bad "capture of env's execvp('st'): rc=$rc $(cat "$tmp/err")"; fi
  # the loader has no PT_INTERP either, yet run as a program (ldd, ld.so
  # PROG) it loads the preload: no escape
  ld=$(readelf -l /bin/true 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
  if [ -x "$ld" ]; then
    "$cli" exec -a glibc -- sh -c "ldd /bin/true >/dev/null; '$ld' /bin/true" >"$tmp/out" 2>"$tmp/err"; rc=$?
    if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ]; then ok
    else bad "exec of ldd and $ld /bin/true: rc=$rc $(cat "$tmp/err")"; fi
  fi
  # the program itself ends as it: said so, no trace named as its
  (cd "$tmp" && "$cli" capture -o se.ast -- sh -c "exec '$tmp/st'" >/dev/null 2>"$tmp/err"); rc=$?
  if [ $rc -eq 2 ] && [ ! -e "$tmp/se.ast" ] && grep -q "ended as st .*statically linked program" "$tmp/err"; then ok
  else bad "capture of sh -c 'exec st': rc=$rc $(cat "$tmp/err")"; fi
fi

# a set-user-ID program run by another user: refused before it runs
mnt=$(command -v mount)
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || [ ! -u "${mnt:-/nonexistent}" ]; then
  echo "skipped: set-user-ID refusal (needs root, setpriv and a set-user-ID mount)"
else
  nobody_cli
  nb=$nbcli
  setpriv --reuid=65534 --regid=65534 --clear-groups env TMPDIR="$tmp" \
    "$nb" exec -a glibc -- "$mnt" --version >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q "set-user-ID" "$tmp/err"; then ok
  else bad "set-user-ID mount run by uid 65534: rc=$rc $(cat "$tmp/out" "$tmp/err")"; fi
  # root runs it with its own uid: not secure, runs on the module
  "$cli" exec -a glibc -- "$mnt" --version >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ]; then ok; else bad "mount as root: rc=$rc $(cat "$tmp/err")"; fi
fi

# capture: env's events are not the program's trace
(cd "$tmp" && "$cli" capture -o ei.ast -- env -i PYTHONMALLOC=malloc $py -c "$prog" >/dev/null 2>"$tmp/err"); rc=$?
if [ $rc -ne 0 ] && [ ! -e "$tmp/ei.ast" ] &&
  grep -q "^allocscope capture: .*python3.*did not load the capture library" "$tmp/err"; then ok
else bad "capture of env -i python3: rc=$rc, ei.ast $( [ -e "$tmp/ei.ast" ] && echo written || echo absent): $(cat "$tmp/err")"; fi
for cmd in "env PYTHONMALLOC=malloc $py -c pass" "sh -c true" "$quick"; do
  rm -f "$tmp/ok.ast"
  (cd "$tmp" && eval "\"\$cli\" capture -o ok.ast -- $cmd" >/dev/null 2>"$tmp/err"); rc=$?
  if [ $rc -eq 0 ] && [ -s "$tmp/ok.ast" ] && ! grep -q "did not load" "$tmp/err"; then ok
  else bad "capture -- $cmd: rc=$rc $(cat "$tmp/err")"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
