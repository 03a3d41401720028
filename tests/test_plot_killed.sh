#!/usr/bin/env bash
# test_plot_killed.sh - `allocscope plot` killed (SIGTERM, SIGKILL) while
# gnuplot draws: its gnuplot processes end with it. Until session 25 they
# drew on into the folder after plot had gone. gnuplot here is a stand-in
# ($ALLOCSCOPE_GNUPLOT) that writes its pid and sleeps.
# usage: test_plot_killed.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
fix=$(dirname "$(readlink -f "$0")")/fixtures/results-small
cat >"$tmp/gnuplot" <<EOF2
#!/bin/sh
echo \$\$ >>"$tmp/pids"
exec sleep 30
EOF2
chmod +x "$tmp/gnuplot"
for sig in TERM KILL; do
  rm -f "$tmp/pids"
  cp -r "$fix" "$tmp/r$sig" && rm -rf "$tmp/r$sig/plots"
  ALLOCSCOPE_GNUPLOT=$tmp/gnuplot "$as" plot "$tmp/r$sig" >/dev/null 2>&1 &
  p=$!
  for _ in $(seq 100); do [ -s "$tmp/pids" ] && break; sleep 0.05; done
  kill -"$sig" "$p"
  { wait "$p"; } 2>/dev/null
  left=
  for _ in $(seq 40); do
    left=
    for g in $(cat "$tmp/pids" 2>/dev/null); do kill -0 "$g" 2>/dev/null && left="$left $g"; done
    [ -z "$left" ] && break
    sleep 0.05
  done
  if [ -z "$left" ] && [ -s "$tmp/pids" ]; then ok; else
    bad "SIG$sig: gnuplot still runs 2 s after plot ended:$left"
    for g in $left; do kill -9 "$g"; done
  fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
