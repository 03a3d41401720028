#!/usr/bin/env bash
# test_oom_exit.sh - the CLI out of memory in its own code: one line
# "allocscope: out of memory: WHAT (N bytes)" on stderr and exit status 71
# (README's exit-status list), never abort()'s SIGABRT (134, a core, not a
# word). `allocscope compare` of a 40,000-group trials.csv (big_folder.sh)
# under address-space limits from 20 to 40 MiB: the reader's own "out of
# memory" (exit 2) below, the groups' index and arrays (compare.c) in a
# window above it, enough at the top. Until session 30 that window ended in
# abort(): exit 134 at 28 and 32 MiB on this host. plot (without gnuplot:
# its charts took minutes) of a 4,000-group folder under 20-32 MiB: the
# same until session 30; the 20,000-group folder it used until session 31
# fits in 60-68 MiB since plot keeps only the columns it draws. Skipped in
# the sanitizer build (ASan reserves terabytes of address space).
# usage: test_oom_exit.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
[ -z "${ALLOCSCOPE_SANITIZED:-}" ] || skip "sanitizer build (ASan's shadow memory has no ulimit -v)"

. "$(dirname "$0")/big_folder.sh"
big "$tmp/a" 1 20000 1
big "$tmp/b" 1 1 6
big "$tmp/c" 1 4000 1

oom=0
# run NAME MIB ARGS...: allocscope ARGS under ulimit -v MIB MiB; exit 0 or 2
# (a reader's own error line), or 71 with one out-of-memory line
run() {
  local name=$1 mib=$2 rc
  shift 2
  (
    ulimit -c 0
    ulimit -v $((mib * 1024))
    "$as" "$@" >"$tmp/out" 2>"$tmp/err"
    echo "$?" >"$tmp/rc"
  )
  rc=$(cat "$tmp/rc")
  case $rc in
  0 | 2) ok ;;
  1)
    # plot without gnuplot: the folder read and every chart's data made
    if [ "$name" = plot ] && grep -q "gnuplot not found" "$tmp/err"; then ok; else
      bad "$name under ulimit -v ${mib} MiB: exit 1, stderr:"
      sed 's/^/  | /' "$tmp/err" >&2
    fi
    ;;
  71)
    oom=$((oom + 1))
    if [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
      grep -qE "^allocscope: out of memory: [^()]+( \([0-9]+ bytes\))?$" "$tmp/err"; then ok; else
      bad "$name under ulimit -v ${mib} MiB: exit 71 but stderr is not one out-of-memory line:"
      sed 's/^/  | /' "$tmp/err" >&2
    fi
    ;;
  *)
    bad "$name under ulimit -v ${mib} MiB: exit $rc (want 0, 2 or 71), stderr:"
    sed 's/^/  | /' "$tmp/err" >&2
    ;;
  esac
}
for mib in 20 22 24 26 28 30 32 34 36 38 40; do
  run compare "$mib" compare "$tmp/a" "$tmp/b"
done
# plot's own allocations (plot*.c, until session 30 abort(): exit 134)
# run out above its readers' limit: 20-32 MiB on this host
for mib in 20 24 28 32; do
  ALLOCSCOPE_GNUPLOT=/nonexistent/gnuplot run plot "$mib" plot "$tmp/c" -o "$tmp/p$mib"
done
# the limits above must have reached the harness's own allocations once,
# else nothing was tested here
if [ "$oom" -eq 0 ] && [ "$fail" -eq 0 ]; then
  echo "skipped: no limit ran out in compare's or plot's own allocations here"
  echo "$pass passed, $fail failed"
  exit 77
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
