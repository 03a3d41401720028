#!/usr/bin/env bash
# test_capture_signal.sh - SIGTERM and SIGHUP sent to `allocscope capture`
# while its program runs: the program gets the signal (as under exec), and
# capture writes the trace of what it recorded, says the program died on
# that signal, exits 1 and leaves no spool folder, no .tmp file and no
# process. Until session 25 capture died alone (exit 143): the program ran
# on, untraced, filling a hidden .allocscope-capture-XXXXXX folder that
# nobody removed, beside empty TRACE.PID.GEN.tmp files. tune killed while
# it captures: the program ends too.
# usage: test_capture_signal.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
prog=$tmp/sleeper
cp "$(command -v sleep)" "$prog" # a name no other process has

for sig in TERM HUP; do
  d=$tmp/$sig
  mkdir "$d"
  "$as" capture -o "$d/t.ast" -- "$prog" 30 >"$tmp/out" 2>"$tmp/err" &
  cap=$!
  # the program runs once its spool is there
  for _ in $(seq 100); do ls "$d"/.allocscope-capture-*/*spool* >/dev/null 2>&1 && break; sleep 0.05; done
  kill -"$sig" "$cap"
  for _ in $(seq 100); do kill -0 "$cap" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$cap" 2>/dev/null; then
    bad "SIG$sig: capture still running 5 s later"
    kill -9 "$cap"
  fi
  wait "$cap"
  rc=$?
  [ "$rc" -eq 1 ] && ok || bad "SIG$sig: capture exit $rc, want 1: $(tail -2 "$tmp/err")"
  grep -q "died on signal" "$tmp/err" && ok || bad "SIG$sig: no line says the program died on it"
  if pgrep -f "^$prog 30" >/dev/null; then
    bad "SIG$sig: the program still runs"
    pkill -9 -f "^$prog 30"
  else ok; fi
  left=$(find "$d" -name '.allocscope-capture-*' -o -name '*.tmp*')
  [ -z "$left" ] && ok || bad "SIG$sig: left behind: $left"
  "$as" trace stats "$d/t.ast" >/dev/null 2>&1 && ok || bad "SIG$sig: no readable trace"
done

# --- tune killed while it captures: the program ends with it -----------------
# (until session 25 tune died alone, its capture and the program ran on)
for sig in TERM KILL; do
  "$as" tune -o "$tmp/tune$sig" -r 3 -- "$prog" 30 >/dev/null 2>&1 &
  tp=$!
  for _ in $(seq 100); do ls "$tmp/tune$sig"/.allocscope-capture-*/*spool* >/dev/null 2>&1 && break; sleep 0.05; done
  kill -"$sig" "$tp"
  { wait "$tp"; } 2>/dev/null
  for _ in $(seq 100); do pgrep -f "^$prog 30" >/dev/null || break; sleep 0.05; done
  if pgrep -f "^$prog 30" >/dev/null; then
    bad "tune SIG$sig: the program still runs 5 s later"
    pkill -9 -f "^$prog 30"
  else ok; fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
