#!/usr/bin/env bash
# test_ignored_sigchld.sh - allocscope started with SIGCHLD ignored (as a
# daemon, a CI runner or `perl -e '$SIG{CHLD}="IGNORE"; exec ...'` may leave
# it: the disposition survives exec) still waits for its children. With it
# ignored the kernel reaps them at once and waitpid fails: until session 31
# `run` hung until killed, `exec` took 10 s to say the glibc module's probe
# "hung in destroy" and exit 2, and plot lost its gnuplot children.
# usage: test_ignored_sigchld.sh ALLOCSCOPE
set -u
real=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
command -v perl >/dev/null || { echo "skipped: no perl"; echo "0 passed, 0 failed"; exit 77; }
# the CLI as such a parent starts it; 60 s at most, so a hang fails (124)
as=$tmp/ignoring
cat >"$as" <<EOS
#!/bin/sh
exec timeout 60 perl -e '\$SIG{CHLD} = "IGNORE"; exec @ARGV or die "exec: \$!"' "$real" "\$@"
EOS
chmod +x "$as"
# the wrapper does what it says: a child of its perl inherits SIG_IGN
if [ "$(perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' grep SigIgn /proc/self/status |
  awk '{ print and(strtonum("0x" $2), 2^16) }' 2>/dev/null)" != 0 ]; then ok; else
  bad "perl's ignored SIGCHLD is not inherited: the test would test nothing"
fi

expect 0 "results: " run -q --no-plot -a bump,glibc -w random:ops=1000 -r 2 --min-time 0 -o "$tmp/r"
if [ -s "$tmp/r/trials.csv" ] &&
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "status") c = i; next }
           $c != "ok" { bad = 1 } END { exit bad || NR < 5 }' "$tmp/r/trials.csv"; then ok; else
  bad "run with SIGCHLD ignored: not every trial ok: $(cut -d, -f3,10,11 "$tmp/r/trials.csv" 2>/dev/null | tr '\n' ';')"
fi
if command -v gnuplot >/dev/null; then
  expect 0 "report: " plot "$tmp/r"
  [ -n "$(ls "$tmp/r/plots" 2>/dev/null)" ] && ok || bad "plot with SIGCHLD ignored drew no chart"
fi
expect 0 "ok|passed" check bump
expect 0 "program ran" capture -o "$tmp/t.ast" -- /bin/true
if [ -z "${ALLOCSCOPE_SANITIZED:-}" ]; then
  # as test_exec: a sanitized shim needs the ASan runtime in the program
  expect 0 "^hi$" exec -a glibc -- /bin/echo hi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
