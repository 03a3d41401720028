#!/usr/bin/env bash
# test_prog_killed.sh - `kill -9` of `allocscope exec` or `capture` ends the
# program too (PR_SET_PDEATHSIG), within a second, with and without a
# controlling terminal (setsid: the program in a group of its own; script's
# pty: in allocscope's).
# Until 2026-12-07 the program ran on, orphaned: under capture writing its
# spool for ever into a hidden folder; `timeout -s KILL` left it running.
# usage: test_prog_killed.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
prog=$tmp/sleeper_killed
cp "$(command -v sleep)" "$prog" # a name no other process has
export TMPDIR=$tmp               # exec's stats file, left by the kill

cmds="exec capture"
if [ -n "${ALLOCSCOPE_SANITIZED:-}" ]; then
  # as test_exec: a sanitized shim needs the ASan runtime in the program
  cmds=capture
  echo "skipped: the exec cases (sanitizer build)"
fi
for cmd in $cmds; do
  for pre in "" setsid tty; do
    d=$tmp/$cmd$pre
    mkdir "$d"
    case $cmd in
      exec) set -- exec -a glibc -- "$prog" 30 ;;
      capture) set -- capture -o "$d/t.ast" -- "$prog" 30 ;;
    esac
    if [ "$pre" = tty ]; then
      # on a terminal (script's pty): the program in allocscope's group
      command -v script >/dev/null || { echo "skipped: the terminal cases (no script(1))"; continue; }
      script -qec "$(printf '%q ' "$as" "$@")" /dev/null </dev/null >"$d/out" 2>&1 &
    else
      $pre "$as" "$@" >"$d/out" 2>&1 &
    fi
    pid=$!
    for _ in $(seq 200); do pgrep -f "^$prog 30" >/dev/null && break; sleep 0.05; done
    if ! pgrep -f "^$prog 30" >/dev/null; then
      bad "$cmd ${pre:-plain}: the program did not start: $(tail -2 "$d/out")"
      kill -9 "$pid" 2>/dev/null
      continue
    fi
    # allocscope: the program's parent (under script, not $!)
    ap=$(ps -o ppid= -p "$(pgrep -f "^$prog 30")" | tr -d ' ')
    kill -9 "$ap"
    { wait "$pid"; } 2>/dev/null
    for _ in $(seq 20); do pgrep -f "^$prog 30" >/dev/null || break; sleep 0.05; done
    if pgrep -f "^$prog 30" >/dev/null; then
      bad "$cmd ${pre:-plain}: the program still runs 1 s after kill -9 of allocscope"
      pkill -9 -f "^$prog 30"
    else ok; fi
  done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
