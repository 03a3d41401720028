#!/usr/bin/env bash
# test_faults.sh - fault injection: each case provokes one failure the
# harness must survive without a hang, a lost or mixed result or a stray
# process (docs/reliability.md lists the cases), and checks the outcome.
# Usage: test_faults.sh ALLOCSCOPE MODS_DIR
set -u
cli=$1 mods=$2
pass=0 fail=0 skipped=0
tmp=$(mktemp -d /tmp/as-faults-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
wl=random:ops=2000,live=100
# (--no-quick-check: the broken modules here misalign on purpose, and what
# is tested is what their trials do)
q=(-r 1 -q --no-plot --min-time 0 --no-quick-check)

ok() { pass=$((pass+1)); echo "ok: $*"; }
bad() { fail=$((fail+1)); echo "FAILED: $*"; }
skip() { skipped=$((skipped+1)); echo "skipped: $*"; }
# check DESCRIPTION COMMAND...: the command must succeed
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# a run's exit code and stderr in $rc, $err_text
as() { "$cli" "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"; rc=$?; err_text=$(cat "$tmp/err.txt"); }
lines() { wc -l <"$1" | tr -d ' '; }
# holds_ends TEXT GLOB END: TEXT holds a match of GLOB and ends with END (literally)
# shellcheck disable=SC2053
holds_ends() { [[ $1 == *$2* && $1 == *"$3" ]]; }

# --- a results folder belongs to one run ---------------------------------
case_reuse() {
  local d=$tmp/reuse
  as run "${q[@]}" -a glibc,null -w $wl --latency 1 -o "$d"
  check "first run into a new folder" test "$rc" = 0
  as run "${q[@]}" -a null -w $wl -o "$d"
  check "second run into it refused (exit 2, one line naming --force)" \
    test "$rc" = 2 -a "$(lines "$tmp/err.txt")" = 1
  check "  ... and says why" grep -q "not empty.*--force" "$tmp/err.txt"
  check "  ... and the first run's rows are intact" grep -q "^1,0,null" "$d/trials.csv"
  as run "${q[@]}" -a null -w $wl --latency 0 --force -o "$d"
  check "--force replaces it" test "$rc" = 0
  check "  ... with no stale file of the earlier run" test ! -e "$d/latency.csv"
  check "  ... and no stale row" test "$(lines "$d/trials.csv")" = 2
  mkdir -p "$tmp/notours" && echo keep >"$tmp/notours/thesis.tex"
  as run "${q[@]}" -a null -w $wl --force -o "$tmp/notours"
  check "--force refuses a folder that is not allocscope's" \
    test "$rc" = 2 -a -e "$tmp/notours/thesis.tex"
  check "  ... and leaves it as it was (no .lock left in it)" \
    test "$(ls -A "$tmp/notours")" = thesis.tex
  # a marker's name alone is not allocscope's: an empty context.csv in a
  # folder of the user's let --force delete its whole tree (an outside
  # review); and a results folder holding a subfolder allocscope did not
  # write is refused, one line naming it
  mkdir -p "$tmp/home/projects/src" && echo x >"$tmp/home/projects/src/main.c"
  touch "$tmp/home/context.csv"
  as run "${q[@]}" -a null -w $wl --force -o "$tmp/home"
  check "--force refuses a folder whose context.csv is not a run's" \
    test "$rc" = 2 -a -e "$tmp/home/projects/src/main.c" -a "$(lines "$tmp/err.txt")" = 1
  mkdir -p "$tmp/home2" && echo x >"$tmp/home2/main.c" && echo x >"$tmp/home2/run.args"
  as run "${q[@]}" -a null -w $wl --force -o "$tmp/home2"
  check "--force refuses a folder whose run.args is not a run's" \
    test "$rc" = 2 -a -e "$tmp/home2/main.c"
  mkdir -p "$d/mine" && echo keep >"$d/mine/notes.txt"
  as run "${q[@]}" -a null -w $wl --force -o "$d"
  check "--force refuses a results folder holding a folder of the user's" \
    test "$rc" = 2 -a -e "$d/mine/notes.txt"
  check "  ... naming it" grep -q "holds $d/mine, which allocscope did not write" "$tmp/err.txt"
  rm -r "$d/mine"
  # a file of the user's beside the results was deleted (an outside review)
  echo keep >"$d/notes.txt"
  as run "${q[@]}" -a null -w $wl --force -o "$d"
  check "--force refuses a results folder holding a file of the user's" \
    test "$rc" = 2 -a -e "$d/notes.txt" -a -e "$d/trials.csv"
  check "  ... naming it" grep -q "holds $d/notes.txt, which allocscope did not write" "$tmp/err.txt"
  rm "$d/notes.txt"
  # a name tune writes in its own folder is the user's in a run's (a
  # trace.ast copied beside the results was deleted: a review of d34445d)
  echo keep >"$d/trace.ast"
  as run "${q[@]}" -a null -w $wl --force -o "$d"
  check "--force refuses a run folder holding a trace.ast of the user's" \
    test "$rc" = 2 -a -e "$d/trace.ast"
  rm "$d/trace.ast"
  # ... as a .NAME.tmp of the user's does: only our own files' write
  # leftovers (.trials.csv.tmp) are ours (a review: .draft.tmp was deleted)
  echo keep >"$d/.draft.tmp"
  as run "${q[@]}" -a null -w $wl --force -o "$d"
  check "--force refuses a run folder holding a .draft.tmp of the user's" \
    test "$rc" = 2 -a -e "$d/.draft.tmp"
  rm "$d/.draft.tmp"
  echo x >"$d/.trials.csv.tmp"
  as run "${q[@]}" -a null -w $wl --force -o "$d"
  check "  ... but clears a .trials.csv.tmp a killed run left" \
    test "$rc" = 0 -a ! -e "$d/.trials.csv.tmp"
  "$cli" plot "$d" --tables md >/dev/null 2>&1
  as run "${q[@]}" -a null -w $wl --force -o "$d"
  check "--force replaces a run with its charts and tables" \
    test "$rc" = 0 -a ! -e "$d/tables" -a ! -e "$d/plots"
  as suite threshold --quick "${q[@]}" -a null -o "$d"
  check "suite -o of a run's folder refused" test "$rc" = 2
  local s=$tmp/reuse_suite
  as suite threshold --quick "${q[@]}" -a null -o "$s"
  echo keep >"$s/threshold/notes.txt"
  as suite threshold --quick "${q[@]}" -a null --force -o "$s"
  check "suite --force refuses a scenario folder holding a file of the user's" \
    test "$rc" = 2 -a -e "$s/threshold/notes.txt"
  check "  ... naming it" grep -q "holds $s/threshold/notes.txt, which" "$tmp/err.txt"
  rm "$s/threshold/notes.txt"
  as suite threshold --quick "${q[@]}" -a null --force -o "$s"
  check "  ... and replaces it once the file is gone" test "$rc" = 0
}

case_concurrent() {
  local d=$tmp/conc
  # broken_hang keeps the first run writing for as long as the refusals
  # take; its worker is killed once they are done (until session 33 its
  # --timeout 10 was waited out, half of this case and a fifth of the test)
  "$cli" run "${q[@]}" -a "$mods/broken_hang.so" -w $wl --timeout 120 -o "$d" \
    >/dev/null 2>&1 &
  local first=$!
  # the folder is claimed after the module probes (seconds under a loaded
  # sanitizer build)
  for _ in $(seq 600); do [ -e "$d/run.args" ] && break; sleep 0.1; done
  as run "${q[@]}" -a null -w $wl --force -o "$d"
  check "a second run into a folder in use is refused, even with --force" \
    test "$rc" = 2 -a "$(lines "$tmp/err.txt")" = 1
  check "  ... naming the other run" grep -q "another allocscope run is writing there" \
    "$tmp/err.txt"
  as run --resume "$d"
  check "  ... and so is --resume of it" test "$rc" = 2
  # its worker (the folder is claimed after the probe: no probe left), the
  # __worker child of the run that has the module mapped: the fork server
  # is a __worker child too (a forked worker keeps its command line), and
  # killed alone, before it had forked the worker, it left the run to exec
  # one of its own, which waited out --timeout 120 (CI: test 147 s, not 28)
  local found=0
  for _ in $(seq 300); do
    pgrep -P $first -f __worker >"$tmp/wpid"
    for p in $(cat "$tmp/wpid"); do
      grep -q broken_hang "/proc/$p/maps" 2>/dev/null && found=1
    done
    [ $found = 1 ] && break
    sleep 0.1
  done
  check "  ... while the first run's worker ran" test $found = 1
  xargs kill -9 <"$tmp/wpid" 2>/dev/null
  wait $first
  check "the first run's results are its own" grep -q "broken_hang" "$d/trials.csv"
  as run --resume "$d"
  check "the finished folder resumes (nothing to do)" test "$rc" = 1
}

# --- a trial's rows land as one unit; --resume trusts only whole rows ------
# every trials.csv row of status ok has exactly `samples` whole series.csv
# rows, and every trials.csv row has the header's field count. A trial's
# series rows go to disk before its trials.csv row, so a write that failed
# midway can leave a cut last series row of the trial that has no
# trials.csv row (--resume drops it); where the limit cut it varies with
# the rows' lengths (a cut inside the first field crashed this check, 1
# run in many). Only whole rows count: a cut row of a trial with a
# trials.csv row would leave its count one short.
consistent() {
  python3 - "$1" <<'PY'
import csv, sys, collections
d = sys.argv[1]
t = list(csv.reader(open(d + "/trials.csv")))
s = list(csv.reader(open(d + "/series.csv")))
n = collections.Counter((r[0], r[1]) for r in s[1:] if len(r) == len(s[0]))
bad = [r for r in t[1:] if len(r) != len(t[0])]
h = t[0]
for r in t[1:]:
    row = dict(zip(h, r))
    if row.get("status") == "ok" and int(row["samples"]) != n[(row["trial"], row["rep"])]:
        bad.append(r)
keys = [(r[0], r[1]) for r in t[1:]]
sys.exit(1 if bad or len(keys) != len(set(keys)) else 0)
PY
}
nrows() { echo $(( $(lines "$1/trials.csv") - 1 )); }

case_full_disk() {
  local d=$tmp/full
  # a 30 KiB file size limit: series.csv cannot grow past the first trials
  # (256 points per trial, ~27 KB, as auto spacing gave before it kept
  # points 1024 ops apart: 42 points, 27 KB for all 6 trials)
  (ulimit -f 30; trap '' XFSZ; exec "$cli" run "${q[@]}" -a glibc,null \
    -w random:ops=20000,live=500 --sample-every 160 -r 3 -o "$d" >/dev/null 2>"$tmp/err.txt")
  rc=$?
  check "a write error stops the run with exit 2" test "$rc" = 2
  check "  ... naming the file" grep -q "series.csv: cannot write" "$tmp/err.txt"
  check "  ... and every trials.csv row has all its series rows" consistent "$d"
  as run --resume "$d"
  check "--resume then finishes the matrix" test "$rc" = 0 -a "$(nrows "$d")" = 6
  check "  ... consistently" consistent "$d"
}

case_damaged_rows() {
  local d=$tmp/dmg
  as run "${q[@]}" -a glibc,null -w $wl -r 2 -o "$d"
  # a row cut in the middle, and a trial whose series rows are gone
  head -c -200 "$d/trials.csv" >"$tmp/t" && cp "$tmp/t" "$d/trials.csv"
  grep -v '^1,0,' "$d/series.csv" >"$tmp/s" && cp "$tmp/s" "$d/series.csv"
  as run --resume "$d"
  check "--resume runs damaged rows again (exit 0)" test "$rc" = 0
  check "  ... saying which (one line each)" \
    test "$(grep -c 'running it again' "$tmp/err.txt")" = 2
  check "  ... and ends with 4 whole rows" test "$(nrows "$d")" = 4
  check "  ... consistent with series.csv" consistent "$d"
  # a number allocscope never writes: strtod took 0x1p4 as 16 ns/op and
  # inf as a time, and the trial counted as done with them
  local v
  for v in 0x1p4 inf nan; do
    python3 - "$d/trials.csv" "$v" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
rows[1][rows[0].index("ns_per_op")] = sys.argv[2]
csv.writer(open(sys.argv[1], "w"), lineterminator="\n").writerows(rows)
PY
    as run --resume "$d"
    check "--resume runs a row with ns_per_op '$v' again, saying so" test "$rc" = 0 -a \
      "$(grep -Fc "ns_per_op '$v' is not a number; running it again" "$tmp/err.txt")" = 1
    check "  ... and ends with 4 whole rows" test "$(nrows "$d")" = 4
  done
  # threads no count, in a row whose reason names other threads than -t (a
  # trace's): it was taken as done, its threads cast from NaN (UB)
  python3 - "$d/trials.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
rows[1][rows[0].index("threads")] = "x"
rows[1][rows[0].index("reason")] = "trace: 2 threads, not -t 1"
csv.writer(open(sys.argv[1], "w"), lineterminator="\n").writerows(rows)
PY
  as run --resume "$d"
  check "--resume runs a row with threads 'x' again, saying so" test "$rc" = 0 -a \
    "$(grep -Fc "threads 'x' is not a count; running it again" "$tmp/err.txt")" = 1
  check "  ... and ends with 4 whole rows" test "$(nrows "$d")" = 4
}

case_killed_early() {
  local d=$tmp/early
  # a run killed after run.args and before context.csv (older allocscope
  # wrote them in that order; this one writes run.args last)
  mkdir -p "$d" && printf 'run\0-r\0%s\0-q\0--no-plot\0-a\0null\0-w\0%s\0' 1 "$wl" |
    tail -c +5 >"$d/run.args"
  as run --resume "$d"
  check "a run killed before its first trial resumes" test "$rc" = 0 -a "$(nrows "$d")" = 1
  # context.csv cannot be written (a 1 KiB file-size limit): no table of
  # trials that never ran, and the folder resumes once there is room
  rm -rf "$d"
  (ulimit -f 1; trap '' XFSZ; exec "$cli" run -r 1 --no-plot --min-time 0 -a glibc,null -w $wl \
    -o "$d" >"$tmp/out.txt" 2>"$tmp/err.txt")
  rc=$?
  check "context.csv cannot be written: exit 2 naming it, nothing on stdout" test "$rc" = 2 -a \
    ! -s "$tmp/out.txt" -a "$(grep -c "context.csv: cannot write" "$tmp/err.txt")" = 1
  as run --resume "$d"
  check "  ... and --resume then runs the matrix" test "$rc" = 0 -a "$(nrows "$d")" = 2
  # killed after run.args and context.csv, before the tables' heads (the
  # state CI's kill -9 loop below hit once in 7): nothing done, --resume
  # runs the matrix
  as run "${q[@]}" -a glibc,null -w $wl -o "$d"
  find "$d" -mindepth 1 ! -name run.args ! -name context.csv ! -name .lock -delete
  as run --resume "$d"
  check "  ... and with only run.args and context.csv, --resume runs it" \
    test "$rc" = 0 -a "$(nrows "$d")" = 2
  # kill -9 at moments spread over the start: a folder left behind resumes,
  # or, killed between claiming it and writing run.args, holds only the lock:
  # --resume then says so in one line and a new run into it needs no --force
  local t left=0 resumed=0
  for t in 0.05 0.1 0.15 0.2 0.3 0.4 0.5 0.6 0.8 1.0; do
    rm -rf "$d"
    "$cli" run "${q[@]}" -a glibc,null -w $wl -o "$d" >/dev/null 2>&1 &
    local p=$! s ended
    # the kill at $t, but no wait past the run's end: on an idle machine
    # it takes 0.2 s, and the sleeps past it were 2 of the case's 6 s
    # (the kill of an ended run did nothing)
    sleep $t &
    s=$!
    wait -n -p ended $p $s 2>/dev/null
    if [ "$ended" = "$s" ]; then
      kill -9 $p 2>/dev/null
      wait $p 2>/dev/null
    else
      kill $s 2>/dev/null
      wait $s 2>/dev/null
    fi
    [ -d "$d" ] || continue
    left=$((left+1))
    as run --resume "$d"
    if [ "$rc" = 0 ] && [ "$(nrows "$d")" = 2 ]; then
      resumed=$((resumed+1))
    elif [ "$rc" = 2 ] && [ "$(lines "$tmp/err.txt")" = 1 ] &&
      grep -q "stopped before it wrote run.args" "$tmp/err.txt"; then
      as run "${q[@]}" -a glibc,null -w $wl -o "$d"
      [ "$rc" = 0 ] && [ "$(nrows "$d")" = 2 ] && resumed=$((resumed+1))
    fi
  done
  check "kill -9 during the start: $resumed of $left folders left behind resume or restart" \
    test "$resumed" = "$left"
  # the folder a run leaves when stopped right after claiming it
  rm -rf "$d" && mkdir -p "$d" && : >"$d/.lock"
  as run --resume "$d"
  check "a folder holding only the lock: --resume says the run never started" \
    test "$rc" = 2 -a "$(lines "$tmp/err.txt")" = 1 -a \
    "$(grep -c "stopped before it wrote run.args" "$tmp/err.txt")" = 1
  as run "${q[@]}" -a glibc,null -w $wl -o "$d"
  check "  ... and a new run into it needs no --force" test "$rc" = 0 -a "$(nrows "$d")" = 2
  # killed inside the atomic write of run.args: its temporary file is ours
  rm -rf "$d" && mkdir -p "$d" && : >"$d/.lock" && printf 'run\0-r' >"$d/.run.args.tmp"
  as run --resume "$d"
  check "  ... also with run.args' temporary file left" test "$rc" = 2 -a \
    "$(grep -c "stopped before it wrote run.args" "$tmp/err.txt")" = 1
  as run "${q[@]}" -a glibc,null -w $wl -o "$d"
  check "  ... which a new run takes without --force" test "$rc" = 0 -a "$(nrows "$d")" = 2
  # right after a kill -9 the lock can still be held for a moment by a child
  # of the dead run (between fork and exec): wait for it, but refuse a live
  # owner at once
  if command -v flock >/dev/null; then
    local dead
    sh -c 'exit 0' & dead=$!
    wait $dead
    echo $dead >"$d/.lock"
    flock "$d/.lock" sleep 0.5 &
    local holder=$!
    sleep 0.1
    as run --resume "$d"
    check "lock held by a dead run's leftover: --resume waits for it" test "$rc" = 1 -o "$rc" = 0
    wait $holder
    # "at once": refused while the owner still holds the lock, not after it
    # (a wall-time bound failed under ASan at load, where a run's module
    # checks before the lock take seconds)
    echo $$ >"$d/.lock"
    flock "$d/.lock" sleep 60 &
    holder=$!
    sleep 0.1
    as run --resume "$d"
    local alive=no
    kill -0 $holder 2>/dev/null && alive=yes
    check "  ... a live owner's lock is refused at once" test "$rc" = 2 -a \
      "$(grep -c "another allocscope run" "$tmp/err.txt")" = 1 -a $alive = yes
    pkill -P $holder 2>/dev/null
    kill $holder 2>/dev/null
    wait $holder 2>/dev/null
  else
    skip "flock(1) missing: the lock-wait cases"
  fi
}

case_format() {
  local d=$tmp/fmt
  as run "${q[@]}" -a null -w $wl -o "$d"
  sed -i 's/^results_format,\([0-9]*\)$/results_format,\1beta/' "$d/context.csv"
  as run --resume "$d"
  check "results_format=2beta refused by --resume" test "$rc" = 2
  as plot "$d"
  check "  ... and by plot" test "$rc" = 2
}

# plot reads only what tables.h says a file holds: a damaged file is one
# line naming file, line and column, exit 2, and no chart or report
case_plot_strict() {
  local d=$tmp/pl
  as run "${q[@]}" -a glibc,null -w $wl -r 2 -o "$d"
  # setcell FILE LINE COLUMN TEXT: a copy of the run with one cell replaced
  setcell() {
    rm -rf "$tmp/pl2" && cp -r "$d" "$tmp/pl2"
    python3 - "$tmp/pl2/$1" "$2" "$3" "$4" <<'PY'
import csv, sys
p, line, col, text = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = list(csv.reader(open(p)))
rows[line - 1][rows[0].index(col)] = text
csv.writer(open(p, "w"), lineterminator="\n").writerows(rows)
PY
  }
  no_report() { test ! -e "$tmp/pl2/report.md" -a ! -e "$tmp/pl2/plots" \
    -a "$(grep -c '^report' "$tmp/out.txt")" = 0; }
  setcell trials.csv 3 ns_per_op fast
  as plot "$tmp/pl2"
  check "plot: text in a trials.csv number column is exit 2, one line" \
    test "$rc" = 2 -a "$(lines "$tmp/err.txt")" = 1
  check "  ... naming file, line and column" \
    grep -Eq "pl2/trials.csv: line 3, column [0-9]+ \(ns_per_op\): 'fast' is not a number" "$tmp/err.txt"
  check "  ... and no report or chart" no_report
  # what strtod takes but allocscope never writes (an empty cell is n/a):
  # until a fuzz review an inf ns/op was charted as a module's median
  for v in inf nan -inf 0x1p4 +7 1e999; do
    setcell trials.csv 3 ns_per_op "$v"
    as plot "$tmp/pl2"
    check "plot: ns_per_op '$v' is exit 2, one line naming it" \
      test "$rc" = 2 -a "$(grep -Fc "(ns_per_op): '$v' is not a number" "$tmp/err.txt")" = 1
    check "  ... and no report or chart" no_report
  done
  # a row's identity no count: an empty cell was cast from NaN to a long
  # (undefined; found by fuzz_plot under UBSan) and charted
  for cv in "trial:" "rep:" "threads:" "trial:1e300" "threads:0"; do
    setcell trials.csv 3 "${cv%%:*}" "${cv#*:}"
    as plot "$tmp/pl2"
    check "plot: ${cv%%:*} '${cv#*:}' is exit 2, one line naming it" test "$rc" = 2 -a \
      "$(grep -Fc "line 3: ${cv%%:*} '${cv#*:}' is not a count" "$tmp/err.txt")" = 1
    check "  ... and no report or chart" no_report
  done
  setcell series.csv 5 rss_kib 12k
  as plot "$tmp/pl2"
  check "plot: text in a series.csv number column: exit 2 naming line 5, rss_kib" \
    test "$rc" = 2 -a "$(grep -Ec "series.csv: line 5, column [0-9]+ \(rss_kib\): '12k'" "$tmp/err.txt")" = 1
  check "  ... and no report or chart" no_report
  rm -rf "$tmp/pl2" && cp -r "$d" "$tmp/pl2" && sed -i 1d "$tmp/pl2/series.csv"
  as plot "$tmp/pl2"
  check "plot: series.csv without its header: exit 2, one line naming line 1" \
    test "$rc" = 2 -a "$(grep -c "series.csv: line 1: no header" "$tmp/err.txt")" = 1
  check "  ... and no report or chart" no_report
  rm -rf "$tmp/pl2" && cp -r "$d" "$tmp/pl2" && sed -i '4s/,[^,]*$//' "$tmp/pl2/latency.csv"
  as plot "$tmp/pl2"
  check "plot: a latency.csv row short of a field: exit 2 naming line 4" \
    test "$rc" = 2 -a "$(grep -c "latency.csv: line 4: [0-9]* of [0-9]* fields" "$tmp/err.txt")" = 1
  check "  ... and no report or chart" no_report
  # the file ends inside its last row, every field there: a number may have
  # lost digits (until session 20 it was read as whole)
  rm -rf "$tmp/pl2" && cp -r "$d" "$tmp/pl2" && truncate -s -2 "$tmp/pl2/latency.csv"
  as plot "$tmp/pl2"
  check "plot: latency.csv cut inside its last number: exit 2 naming the line" \
    test "$rc" = 2 -a "$(grep -c "latency.csv: line [0-9]*: no line end: cut short" "$tmp/err.txt")" = 1
  as plot "$d"
  check "plot of the undamaged folder works" test "$rc" = 0 -a -e "$d/report.md"
}

# --- no stray process; a module that forks fails its row --------------------
# 0 when no process runs (a zombie has run its course) with the pid in FILE
gone() {
  local p pids live=0; pids=$(cat "$1" 2>/dev/null) || return 0
  for p in $pids; do # each of them (pgrep may list two: it read them all as one)
    for _ in $(seq 30); do
      st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || continue 2
      [ "$st" = Z ] && continue 2
      sleep 0.1
    done
    kill -9 "$p" 2>/dev/null; live=1
  done
  return $live
}

case_fork() {
  local m
  for m in fork fork_sleep setsid; do
    rm -f "$tmp/pid"
    AS_BROKEN_PIDFILE=$tmp/pid as run "${q[@]}" -a "$mods/broken_$m.so",null -w $wl \
      --timeout 20 -o "$tmp/fork_$m"
    check "broken_$m: its row fails, the other is ok (exit 1)" test "$rc" = 1 -a \
      "$(grep -c ',ok,' "$tmp/fork_$m/trials.csv")" = 1
    # (1 process; 2 in the sanitizer build, where LeakSanitizer's helper runs at the fork's exit)
    check "  ... naming the fork" grep -q "^0,0,.*,worker_error,the module started [12] process" \
      "$tmp/fork_$m/trials.csv"
    check "  ... with no series rows of its own" test "$(grep -c '^0,0,' "$tmp/fork_$m/series.csv")" = 0
    check "  ... and its processes are gone" gone "$tmp/pid"
  done
}

case_killed_parent() {
  local sig d=$tmp/killed
  for sig in KILL HUP; do
    rm -rf "$d"
    "$cli" run "${q[@]}" -a "$mods/broken_hang.so" -w $wl --timeout 60 -o "$d" \
      >/dev/null 2>&1 &
    local parent=$!
    # the worker (not the module probe before it) is running; none found
    # is a failure, not a pass (it checked nothing)
    for _ in $(seq 300); do
      pgrep -P $parent -f __worker >"$tmp/wpid" && break
      sleep 0.1
    done
    check "SIG$sig of the run: its worker started within 30 s" test -s "$tmp/wpid"
    kill -$sig $parent
    wait $parent 2>/dev/null
    check "SIG$sig of the run: its hanging worker dies too" gone "$tmp/wpid"
  done
}

# left_after CMD...: run CMD (stdout to out.txt) as the child of a child
# subreaper, which every process CMD leaves behind comes to; $rc is CMD's
# exit code, $left how many such processes still run (zombies have ended)
left_after() {
  read -r rc left < <(python3 - "$@" <<'PY'
import ctypes, os, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
r = subprocess.run(sys.argv[1:], stdout=open(os.environ["OUT"], "w"), stderr=subprocess.DEVNULL)
def left():
    pids = []
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            st = open("/proc/%s/stat" % p).read()
        except OSError:
            continue
        f = st[st.rindex(")") + 2:].split()
        if f[0] != "Z" and int(f[1]) == os.getpid():
            pids.append(int(p))
    return pids
for _ in range(30):  # what is being killed may take a moment to go
    if not left():
        break
    time.sleep(0.1)
pids = left()
print(r.returncode, len(pids))
for p in pids:  # not left running by the test either
    os.kill(p, 9)
PY
)
}

case_check_children() {
  local m
  for m in null "$mods/broken_fork_sleep.so" "$mods/broken_setsid.so"; do
    OUT=$tmp/out.txt left_after "$cli" check "$m" --timeout 5
    check "check ${m##*/}: no process left behind ($left left, exit $rc)" test "$left" = 0
  done
  check "  ... and the checks in which the module forked fail, saying so" \
    grep -q "FAIL .*the module started 1 process" "$tmp/out.txt"
}

# --- the module's probe is a trial: its failure is the module's rows --------
case_probe() {
  local m want t0 secs
  for m in "create_crash crashed signal.11.*in load or create" \
    "create_hang timeout hung in load or create: killed after 4 s" \
    "create_exit worker_error exited with status 0 in load or create" \
    "destroy_crash crashed signal.11.*in destroy" \
    "destroy_exit worker_error exited with status 7 in destroy" \
    "create_fork worker_error .load, create, destroy. started [12] process.*a fork in load, create or destroy"; do
    set -- $m; m=$1 st=$2; shift 2; want="$*"
    t0=$(date +%s)
    as run "${q[@]}" -a "$mods/broken_$m.so",null -w $wl --timeout 4 -o "$tmp/probe_$m"
    secs=$(( $(date +%s) - t0 ))
    check "broken_$m: the run goes on, its rows fail (exit 1)" test "$rc" = 1 -a \
      "$(grep -c "^1,0,null,.*,ok," "$tmp/probe_$m/trials.csv")" = 1
    check "  ... as $st, naming the cause" \
      grep -q "^0,0,.*broken_$m.so,.*,$st,\"not run: .*probe.*$want" "$tmp/probe_$m/trials.csv"
    check "  ... said once on stderr before the run" \
      test "$(grep -c "broken_$m.so: the module's probe.*$want.*its trials are not run" \
      "$tmp/err.txt")" = 1
    check "  ... and in no other line (before review-a: again for each of its trials)" \
      test "$(lines "$tmp/err.txt")" = 1
    check "  ... within --timeout, not a fixed 20 s (took ${secs} s)" test "$secs" -lt 15
  done
  # an exit in destroy after a trial reported (the probe's destroy passes):
  # the row fails; until session 27 it was ok and only a crash there counted
  AS_BROKEN_ONCE=$tmp/destroyed as run "${q[@]}" -a "$mods/broken_destroy_exit.so",null -w $wl \
    -o "$tmp/trial_destroy_exit"
  check "broken_destroy_exit in a trial's destroy: its row fails (exit 1)" test "$rc" = 1 -a \
    "$(grep -c "^0,0,.*broken_destroy_exit.so,.*,worker_error,worker exited with status 7 after reporting: in destroy or exit," \
      "$tmp/trial_destroy_exit/trials.csv")" = 1
  # an exit(0) in a trial's create (the probe's passes): the reason names
  # the two ways a worker ends with 0 and no result
  AS_BROKEN_ONCE=$tmp/created0 as run "${q[@]}" -a "$mods/broken_create_exit.so",null -w $wl \
    -o "$tmp/trial_create_exit"
  check "broken_create_exit in a trial's create: the reason says exit(0) or a replaced pipe" \
    test "$rc" = 1 -a "$(grep -c "^0,0,.*broken_create_exit.so,.*,worker_error,\"worker exited with status 0 without a result: the module called exit(0), or closed or replaced the result pipe (fd [0-9]*)\"" \
      "$tmp/trial_create_exit/trials.csv")" = 1
  # every repetition and workload of it: still its one line, every row failed
  as run -r 3 -q --no-plot --min-time 0 -a null,"$mods/broken_create_crash.so" \
    -w $wl,random:ops=1000,live=10 -o "$tmp/probe_reps"
  check "broken_create_crash, 2 workloads x 3 reps: one stderr line (exit 1)" \
    test "$rc" = 1 -a "$(lines "$tmp/err.txt")" = 1
  check "  ... and its 6 rows crashed" \
    test "$(grep -c "broken_create_crash.so,.*,crashed,\"not run: " "$tmp/probe_reps/trials.csv")" = 6
  # a crash in the probe's quick checks (on by default) is named as such
  # (an outside review's module trapped there and was told "in load or
  # create")
  as run -r 1 -q --no-plot --min-time 0 -a "$mods/broken_crash.so",null -w $wl -o "$tmp/probe_qc"
  check "broken_crash: the quick checks' crash is named, not create" \
    grep -q "broken_crash.so: the module's probe.*signal 11.* in the quick checks of its blocks, after create" "$tmp/err.txt"
  # a constructor that crashes, exits or hangs: dlopen runs it wherever the
  # module is loaded (until session 19: a hang hung run and check for good,
  # a crash killed check and list with no word, an exit made check say
  # nothing and exit 0)
  # (an entry function that crashes, or a params_env past the load, is
  # not a constructor's doing, though the line once said it was)
  for m in "ctor_crash crashed loading it crashed .signal 11" \
    "ctor_hang timeout loading it did not finish in 4 s" \
    "ctor_exit worker_error loading it ended the process .exit status 0." \
    "entry_crash crashed loading it crashed .signal 11.*or its entry function allocscope_module()" \
    "env_crash crashed loading it crashed .signal 11.*in its params_env() or preload_library(), after it loaded"; do
    set -- $m; m=$1 st=$2; shift 2; want="$*"
    t0=$(date +%s)
    rm -f "$tmp/loads"
    AS_BROKEN_LOADS=$tmp/loads as run "${q[@]}" -a null,"$mods/broken_$m.so" -w $wl --timeout 4 \
      -o "$tmp/probe_$m"
    secs=$(( $(date +%s) - t0 ))
    check "broken_$m: the run goes on, its rows fail (exit 1)" test "$rc" = 1 -a \
      "$(grep -c "^0,0,null,.*,ok," "$tmp/probe_$m/trials.csv")" = 1
    check "  ... as $st, naming the cause" \
      grep -q "^1,0,.*broken_$m.so,.*,$st,\"\?not run: .*$want" "$tmp/probe_$m/trials.csv"
    check "  ... within --timeout (took ${secs} s)" test "$secs" -lt 15
    # a hung load is waited for once: until session 33 the run loaded it
    # again for context.csv, a second --timeout (8 of the case's 19 s)
    [ "$m" != ctor_hang ] || check "  ... its hung load waited for once (loaded $(lines "$tmp/loads") times)" \
      test "$(lines "$tmp/loads")" = 1
    # check of the hang: --timeout 1, which it waits out whole (the
    # module never loads, so a short limit cannot change the outcome);
    # the others end at once and keep the run's 4
    local cto=4; [ "$m" != ctor_hang ] || cto=1
    as check --timeout $cto "$mods/broken_$m.so"
    check "check broken_$m: exit 2, one line naming the cause" test "$rc" = 2 -a \
      "$(lines "$tmp/err.txt")" = 1
    check "  ... ${want/in 4 s/in $cto s}" grep -q "${want/in 4 s/in $cto s}" "$tmp/err.txt"
  done
  mkdir -p "$tmp/ctor_dir" && cp "$mods/broken_ctor_crash.so" "$tmp/ctor_dir/"
  ALLOCSCOPE_MODULE_PATH=$tmp/ctor_dir "$cli" list >"$tmp/out.txt" 2>"$tmp/err.txt"
  rc=$?
  check "list with a module whose constructor crashes: the rest listed (exit 0)" \
    test "$rc" = 0 -a "$(grep -c '^  glibc ' "$tmp/out.txt")" = 1
  check "  ... it says why that one cannot load" \
    grep -q "broken_ctor_crash.so (cannot load: .*loading it crashed" "$tmp/out.txt"
  as exec -a "$mods/broken_create_crash.so" -- /bin/true
  check "exec of a module whose create crashes: exit 2, one line" test "$rc" = 2 -a \
    "$(lines "$tmp/err.txt")" = 1
  check "  ... naming the cause" grep -q "signal 11.*in load or create" "$tmp/err.txt"
  rm -rf "$tmp/usage"
  as run "${q[@]}" -a null:nosuch=1 -w $wl -o "$tmp/usage"
  check "a param the module refuses is still a usage error (exit 2, no folder)" \
    test "$rc" = 2 -a ! -e "$tmp/usage" -a "$(lines "$tmp/err.txt")" = 1
}

# A run's cgroup (docs/reliability.md): kill -9 of the run also kills what
# the module forked or setsid'd, which no death signal reaches; the cgroup
# and its guard are gone after a run. Skipped (counted) without one.
case_cgroup() {
  local m d=$tmp/cg
  "$cli" run "${q[@]}" -a null -w $wl -o "$d" >/dev/null 2>&1
  # every run states its guard: a run without the row failed, no skip
  if ! grep -q '^stray_guard,' "$d/context.csv" 2>/dev/null; then
    bad "cgroup cases: the run wrote no stray_guard row in $d/context.csv"
    return
  fi
  if ! grep -q '^stray_guard,cgroup v2 ' "$d/context.csv"; then
    skip "cgroup cases: $(grep '^stray_guard,' "$d/context.csv")"
    return
  fi
  local cg; cg=$(sed -n 's/^stray_guard,cgroup v2 //p' "$d/context.csv")
  for _ in $(seq 30); do [ -e "$cg" ] || break; sleep 0.1; done
  check "after a run its cgroup is removed" test ! -e "$cg"
  for m in fork_hang setsid_hang; do
    rm -rf "$tmp/pid" "$d"
    AS_BROKEN_PIDFILE=$tmp/pid "$cli" run "${q[@]}" -a "$mods/broken_$m.so" \
      -w $wl --timeout 60 -o "$d" >/dev/null 2>&1 &
    local parent=$!
    for _ in $(seq 300); do [ -s "$tmp/pid" ] && break; sleep 0.1; done
    kill -9 $parent
    wait $parent 2>/dev/null
    check "kill -9 of the run: the process broken_$m started dies too" gone "$tmp/pid"
  done
}

# --timeout covers the module's work, not the harness's sampling: glibc
# holding 1 GiB, sampled after every op, spends ~8 s sampling (2026-12-04,
# shared 2-core machine; 7.6 s on 2026-12-07 at ops=1000, against 28 s at
# the 1500 ops this case ran until then, half of the test's time in CI)
# and ~0.5 s of its own. --timeout is wall time, and
# at load 25 that own work alone took over 3 s: the limit is 3 x the wall
# time of the same run without --sample-every 1 (at least 3 s). Until
# session 29 the worker left out of its sampling time the write telling the
# parent of it, which under load waits for the CPU (13 of 77 s at load
# 25): the case failed at load 10 and over. Sampling past its cap of 9 x
# --timeout (docs/reliability.md) is a timeout by design (59 s and more at
# load 25 against --timeout 6): the run is made again once with --timeout
# half of that sampling; a timeout with less sampling than the cap fails at
# once. The sampling a capped run read is the part done when it was
# killed, less than the whole: a quarter of it (until session 32) set a
# cap the whole could pass again (29 s at --timeout 3, then 69 s at
# --timeout 7 in a ctest -j4 at load 18), and a second capped run then
# failed against the limit it would have had next, 9 x 17 s, not the one
# it ran with.
case_sampling() {
  local d=$tmp/smp own to t0 w=random:min=1m,max=1m,live=1024,ops=1000 st sm try
  if [ "${ALLOCSCOPE_SANITIZED:-0}" = 1 ]; then
    # ASan's own allocator holding 1 GiB is slower than --timeout 3 at load
    skip "sampling: sanitizer build (the module's own work can exceed --timeout; the plain build checks it)"
    return
  fi
  t0=$(date +%s%N)
  "$cli" run "${q[@]}" -a glibc -w $w --latency 0 -o "$d.own" >/dev/null 2>&1
  own=$(( ($(date +%s%N) - t0) / 1000000000 + 1 ))
  to=$(( own * 3 > 3 ? own * 3 : 3 ))
  for try in 1 2; do
    rm -rf "$d"
    as run "${q[@]}" -a glibc -w $w --sample-every 1 --latency 0 --timeout $to -o "$d"
    # STATUS SECONDS: the row's sampling_ns, or a timed-out row's reason's
    # "(and S s of sampling not counted)"
    read -r st sm < <(python3 -c "
import csv, re; r = list(csv.DictReader(open('$d/trials.csv')))[0]
m = re.search(r'and ([0-9.e+]+) s of sampling', r['reason'])
s = float(r['sampling_ns']) / 1e9 if r['sampling_ns'] else float(m.group(1)) if m else 0
print(r['status'], int(s))")
    [ "$st" = timeout ] && [ "$sm" -ge $((9 * to)) ] && [ "$try" = 1 ] || break
    echo "  (sampling reached its cap of 9 x --timeout $to after $sm s: again with --timeout $((sm / 2)))"
    to=$((sm / 2))
  done
  if [ "$st" = ok ] && [ "$sm" -lt "$to" ]; then
    skip "sampling took $sm s, under --timeout $to: it cannot show the limit"
    return
  fi
  if [ "$st" = timeout ] && [ "$sm" -ge $((9 * to)) ]; then
    skip "sampling reached its cap of 9 x --timeout $to twice: it cannot show the limit"
    return
  fi
  check "1 GiB sampled after every op, --timeout $to: ok ($st, $sm s of sampling)" \
    test "$rc" = 0 -a "$st" = ok
}

# --- usage errors known before running: exit 2, nothing run, no folder -----
case_usage() {
  local w
  for w in "random:max=8 -t 1" "random:min=1k,max=16 -t 1" "threshold -t 1,2" "leak -t 2"; do
    rm -rf "$tmp/usage"
    # shellcheck disable=SC2086
    as run "${q[@]}" -a null -w $w -o "$tmp/usage"
    check "-w $w: exit 2 with one line, no folder" test "$rc" = 2 -a ! -e "$tmp/usage" \
      -a "$(lines "$tmp/err.txt")" = 1
  done
  # the same -a or -w entry twice: rows nothing tells apart
  for w in "-a null,null -w $wl" "-a null -w random,random" "-a null -w $wl -t 1,1"; do
    rm -rf "$tmp/usage"
    # shellcheck disable=SC2086
    as run "${q[@]}" $w -o "$tmp/usage"
    check "$w: exit 2, one line naming the duplicate, no folder" test "$rc" = 2 \
      -a ! -e "$tmp/usage" -a "$(lines "$tmp/err.txt")" = 1
    check "$w: the message says 'given twice'" grep -q "given twice" "$tmp/err.txt"
  done
}

# --- messages and inputs -------------------------------------------------
case_messages() {
  as run "${q[@]}" -a "$mods/broken_chatty.so" -w $wl -o "$tmp/talk"
  check "a module's stdout stays off the tool's stdout" \
    test "$rc" = 0 -a "$(grep -c "hello from create" "$tmp/out.txt")" = 0
  AS_BROKEN_FAIL_CREATE=1 as run -r 1 -q --no-plot --min-time 0 -a "$mods/broken_chatty.so" -w $wl \
    -o "$tmp/talk2"
  check "a module reason with a newline is one stderr line" test "$rc" = 2 -a \
    "$(grep -vc "hello from create" "$tmp/err.txt")" = 1
  check "  ... holding both lines" grep -q "first line second line" "$tmp/err.txt"
  # the probe's create passes, the trial's fails: the reason is a row's cell
  rm -f "$tmp/created"
  AS_BROKEN_FAIL_CREATE=$tmp/created as run "${q[@]}" \
    -a "$mods/broken_chatty.so" -w $wl -o "$tmp/talk3"
  check "a module reason with a newline in a row: one CSV line, one stderr line" test "$rc" = 1 \
    -a "$(lines "$tmp/talk3/trials.csv")" = 2 -a "$(grep -c "first line" "$tmp/err.txt")" = 1
  check "  ... holding both lines" grep -q "first line second line" "$tmp/talk3/trials.csv"
  as check null --timeout 3
  check "check MOD --timeout 3 parses" test "$rc" = 0
  as check null --timeout 3 nosuchmodule
  check "  ... and a name after it is a module" test "$rc" = 2 -a \
    "$(grep -c nosuchmodule "$tmp/err.txt")" = 1
  as run "${q[@]}" -a glibc -w random:ops=100,live=10 -t 256 -o "$tmp/threads"
  check "cpu_binding holds all 256 threads" python3 -c "
import csv, sys
r = list(csv.DictReader(open('$tmp/threads/trials.csv')))[0]
sys.exit(len(r['cpu_binding'].split()) != 256)"
}

# very long arguments: the message still ends with its reason, on one line
case_long_args() {
  local k w p a want
  k=$(printf 'k%.0s' $(seq 1100)); w=$(printf 'w%.0s' $(seq 1100))
  p=$tmp/$(printf 'd%.0s' $(seq 250))/$(printf 'e%.0s' $(seq 250))/$(printf 'f%.0s' $(seq 250))
  p=$p/$(printf 'g%.0s' $(seq 250))/x.so
  # ARGS|GLOB|END: the stderr line matches *GLOB* (the argument, shortened
  # around "...") and ends with END (the reason), literally
  for a in "-a $p|d...g*/x.so|: module file not found" \
    "-a glibc:$k=1|unknown key 'k*k...' |)" "-a refmalloc:$k=1|unknown key 'k*k...' |)" \
    "-a ${w}|w...w*: module not found |)" \
    "-a null -w $w|workload 'w*w...w*w'|: no such workload (see 'allocscope list')" \
    "-a null -w random:$w=1|unknown key 'w*w...w*w' |)"; do
    IFS='|' read -r a want end <<<"$a"
    rm -rf "$tmp/long"
    # shellcheck disable=SC2086
    as run "${q[@]}" $a -o "$tmp/long"
    check "${a:0:40}... (1,100 characters): exit 2, one line under 1,024" test "$rc" = 2 -a \
      "$(lines "$tmp/err.txt")" = 1 -a "$(wc -c <"$tmp/err.txt")" -lt 1024 -a ! -e "$tmp/long"
    check "  ... holding the shortened argument and ending with the reason" \
      holds_ends "$err_text" "$want" "$end"
  done
  # an -o path that cannot hold the run's files: refused before any folder is made
  for a in "$tmp/long/$(printf 'c%.0s' $(seq 300))/x|a folder name in the path is longer than 255 bytes" \
    "$tmp/long/$(printf '%0200d/' $(seq 21))|results folder path too long"; do
    want=${a#*|}; a=${a%%|*}
    rm -rf "$tmp/long"
    as run "${q[@]}" -a null -w $wl -o "$a"
    check "-o of ${#a} characters: exit 2, one line, nothing created, no 'results:'" \
      test "$rc" = 2 -a "$(lines "$tmp/err.txt")" = 1 -a ! -e "$tmp/long" -a ! -s "$tmp/out.txt"
    check "  ... saying why" grep -q "$want" "$tmp/err.txt"
  done
}

for c in ${CASES:-reuse concurrent full_disk damaged_rows killed_early format plot_strict probe fork killed_parent check_children sampling usage messages long_args}; do "case_$c"; done
echo "$pass passed, $fail failed${skipped:+, $skipped skipped}"
[ "$fail" = 0 ] || exit 1
# only skipped cases ran: a skip, never a pass
[ "$pass" = 0 ] && [ "$skipped" -gt 0 ] && exit 77
exit 0
