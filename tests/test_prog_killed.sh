#!/usr/bin/env bash
# test_prog_killed.sh - `kill -9` of `allocscope exec` or `capture` ends the
# program too (PR_SET_PDEATHSIG), within a second, with and without a
# controlling terminal (setsid: the program in a group of its own; script's
# pty: in allocscope's); without a terminal, the processes the program
# started go too.
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
      # exec, by /bin/sh: allocscope leads the pty's group whatever SHELL
      # is (as in test_prog_signals; dash forks a -c command, bash execs)
      SHELL=/bin/sh script -qec "exec $(printf '%q ' "$as" "$@")" /dev/null </dev/null >"$d/out" 2>&1 &
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

# --- what the program started: gone with it --------------------------------
# Without a terminal the program leads a group of its own; a SIGKILL to
# allocscope's group (a job runner's last resort, timeout -s KILL) or to
# allocscope alone ended the program (its death signal) but not the
# processes it started, in its group: until session 30 a shell script's
# `sleep 30` lived on. Now the aide (harness/userprog.h), outside both
# groups, kills the program's group when allocscope dies.
kid=$tmp/sleeper_kid
cp "$(command -v sleep)" "$kid"
if command -v setsid >/dev/null; then
  for cmd in $cmds; do
    for how in group pid; do
      d=$tmp/kids.$cmd.$how
      mkdir "$d"
      case $cmd in
        exec) set -- exec -a glibc -- ;;
        capture) set -- capture -o "$d/t.ast" -- ;;
      esac
      # the program: a shell that starts a child, writes its pid, waits
      setsid "$as" "$@" /bin/sh -c '"$1" 30 & echo $! >"$2.tmp" && mv "$2.tmp" "$2"; wait' sh \
        "$kid" "$d/kid" >"$d/out" 2>&1 &
      pid=$!
      for _ in $(seq 200); do [ -s "$d/kid" ] && break; sleep 0.05; done
      k=$(cat "$d/kid" 2>/dev/null)
      if [ -z "$k" ] || ! kill -0 "$k" 2>/dev/null; then
        bad "$cmd kids $how: the program's child did not start: $(tail -2 "$d/out")"
        kill -9 "$pid" 2>/dev/null
        continue
      fi
      # allocscope: the parent of the child's parent (the shell); $! only
      # when setsid(1) did not fork first
      ap=$(ps -o ppid= -p "$(ps -o ppid= -p "$k" | tr -d ' ')" | tr -d ' ')
      pgid=$(ps -o pgid= -p "${ap:-0}" | tr -d ' ')
      if [ "$how" = group ]; then
        # only the group setsid made allocscope lead, never the test's
        if [ -z "$ap" ] || [ "$pgid" != "$ap" ] || [ "$pgid" = "$(ps -o pgid= -p $$ | tr -d ' ')" ]; then
          bad "$cmd kids: allocscope (${ap:-gone}) does not lead a process group of its own (${pgid:-gone}); $(ps -o pid=,ppid=,pgid=,sid=,stat=,args= -p "$$,$pid,${ap:-0},$k" | tr '\n' ';')"
          kill -9 "$pid" "$k" 2>/dev/null
          continue
        fi
        kill -9 -- "-$pgid"
      else
        kill -9 "${ap:-$pid}"
      fi
      { wait "$pid"; } 2>/dev/null
      # gone within 2 s (its state Z: dead, not yet reaped by init)
      for _ in $(seq 40); do
        st=$(ps -o stat= -p "$k" 2>/dev/null)
        [ -z "$st" ] || [ "${st#Z}" != "$st" ] && break
        sleep 0.05
      done
      st=$(ps -o stat= -p "$k" 2>/dev/null)
      if [ -z "$st" ] || [ "${st#Z}" != "$st" ]; then ok
      else
        bad "$cmd, SIGKILL to allocscope's $how without a terminal: the program's child ($k) still runs 2 s later"
        kill -9 "$k" 2>/dev/null
      fi
    done
  done
else
  echo "skipped: the program's children (no setsid)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
