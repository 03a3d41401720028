#!/usr/bin/env bash
# test_plot_killed.sh - `allocscope plot` killed (SIGTERM, SIGKILL) while
# gnuplot draws: its gnuplot processes end with it. Until session 25 they
# drew on into the folder after plot had gone. A run interrupted while it
# draws says so and exits 130. gnuplot here is a stand-in
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

# --- ^C while a run draws its charts: exit 130, the line says the results are
# complete (until session 25 the run's stop handler took the signal, the
# gnuplots it reached "failed", and the run exited 0) -----------------------
cat >"$tmp/gnuplot1" <<EOF2
#!/bin/sh
[ -e "$tmp/drew" ] && exit 1
touch "$tmp/drew"
echo \$\$ >>"$tmp/pids1"
exec sleep 30
EOF2
chmod +x "$tmp/gnuplot1"
ALLOCSCOPE_GNUPLOT=$tmp/gnuplot1 setsid "$as" run -a null -r 1 -o "$tmp/run" >/dev/null 2>"$tmp/err" &
p=$!
for _ in $(seq 200); do [ -s "$tmp/pids1" ] && break; sleep 0.05; done
kill -INT -- -"$p" # the terminal's ^C: the whole group
wait "$p"
rc=$?
[ "$rc" -eq 130 ] && grep -q "interrupted while drawing the charts: the results in .* are complete" "$tmp/err" && ok ||
  { bad "^C while drawing: exit $rc, want 130 and a line saying so:"; sed 's/^/  | /' "$tmp/err" | head -3 >&2; }
[ "$(wc -l <"$tmp/run/trials.csv")" -eq 2 ] && ok || bad "^C while drawing: trials.csv is not whole"
# the same for tune (its own plotting)
"$as" capture -o "$tmp/t.ast" -- /bin/ls / >/dev/null 2>&1
rm -f "$tmp/drew" "$tmp/pids1"
ALLOCSCOPE_GNUPLOT=$tmp/gnuplot1 setsid "$as" tune "$tmp/t.ast" -a refmalloc -r 2 -o "$tmp/tune" >/dev/null 2>"$tmp/err" &
p=$!
for _ in $(seq 200); do [ -s "$tmp/pids1" ] && break; sleep 0.05; done
kill -INT -- -"$p"
wait "$p"
rc=$?
[ "$rc" -eq 130 ] && grep -q "tune: interrupted while drawing the charts" "$tmp/err" && ok ||
  { bad "tune, ^C while drawing: exit $rc, want 130 and a line saying so:"; sed 's/^/  | /' "$tmp/err" | tail -3 >&2; }

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
