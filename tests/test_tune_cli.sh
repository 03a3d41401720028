#!/usr/bin/env bash
# test_tune_cli.sh - `allocscope tune` as a user meets it at the door: a bad
# trace (double free, empty, header only, garbage, a directory) is refused
# as replay refuses it, in one line with exit 2, before the plan is printed
# and before any folder is made or touched; two tunes started in the same
# second get folders of their own (results/<stamp>-tune, then -2, ...); a
# program that fails is said as such, not as a failed capture; one that is
# not found, or cannot run, is refused in one line before anything is made.
# Small CSV traces, one configuration, -r 2: a second or two in all.
# usage: test_tune_cli.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1") # the checks run in a folder of their own
. "$(dirname "$0")/cli_expect.sh"
mkdir -p "$tmp/cwd" && cd "$tmp/cwd" || exit 1
hdr='op,thread,id,size_bytes,align_bytes,time_ns'
printf '%s\nmalloc,0,1,100,0,0\nfree,0,1,0,0,1\nfree,0,1,0,0,2\n' "$hdr" >double_free.csv
printf '%s\n' "$hdr" >header_only.csv
: >empty.csv
printf '\211\000\377garbage\001\002\003%.0s' 1 2 3 4 5 6 7 8 >garbage.bin
mkdir a_directory
printf '%s\nmalloc,0,1,100,0,0\nmalloc,0,2,5000,0,1\nfree,0,1,0,0,2\nfree,0,2,0,0,3\n' "$hdr" >ok.csv
fast=(-a glibc -r 2 --budget 30 --no-plot)

# one_line: the last command's output is a single line
one_line() {
  local n
  n=$(wc -l <"$tmp/out")
  if [ "$n" -eq 1 ]; then ok; else
    bad "$1: $n lines of output, want 1:"
    sed 's/^/  | /' "$tmp/out" | head -5 >&2
  fi
}

# --- a bad trace: replay's one line, exit 2, no folder --------------------------
for f in double_free.csv header_only.csv empty.csv garbage.bin a_directory; do
  # the same line replay gives for it
  "$as" replay "$f" -a glibc -o "$tmp/replay-$f" >"$tmp/replay.out" 2>&1
  want=$(head -1 "$tmp/replay.out")
  expect 2 "^allocscope: .*$f" tune "$f" "${fast[@]}" -o "$tmp/t-$f"
  one_line "tune $f"
  if [ "$(cat "$tmp/out")" = "$want" ]; then ok; else
    bad "tune $f: '$(cat "$tmp/out")', replay says '$want'"
  fi
  [ ! -e "$tmp/t-$f" ] && ok || bad "tune $f: left $tmp/t-$f behind"
  # the default folder is not made either
  expect 2 "^allocscope: .*$f" tune "$f" "${fast[@]}"
  one_line "tune $f (default folder)"
  [ ! -e results ] && ok || bad "tune $f: left results/ behind: $(ls -R results | head -5)"
done
# the default grid: no plan, no trial, exit 2
refuse 2 "configurations x|trial|workload_error" tune double_free.csv --no-plot
expect 2 "^allocscope: .*double_free.csv" tune double_free.csv --no-plot
# TRACE between options (before session 29: "expected TRACE or -- PROG")
expect 2 "^allocscope: .*double_free.csv" tune --no-plot double_free.csv -r 2
[ ! -e results ] && ok || bad "tune double_free.csv (default grid): left results/ behind"
# -o of a folder with earlier results: refused before anything is touched
mkdir -p "$tmp/kept" && echo earlier >"$tmp/kept/notes.txt"
expect 2 "double_free.csv" tune double_free.csv "${fast[@]}" -o "$tmp/kept"
if [ "$(ls -A "$tmp/kept")" = notes.txt ] && [ "$(cat "$tmp/kept/notes.txt")" = earlier ]; then
  ok
else bad "tune -o kept: the folder changed: $(ls -A "$tmp/kept")"; fi
# ... and with a good trace or a program: refused in one line before the
# capture writes trace.ast (a second tune into an earlier one's folder
# replaced its trace, then stopped at replay/)
expect 2 "kept: folder is not empty; give a new or empty one" tune ok.csv "${fast[@]}" -o "$tmp/kept"
one_line "tune ok.csv -o kept"
[ "$(ls -A "$tmp/kept")" = notes.txt ] && ok || bad "tune ok.csv -o kept: $(ls -A "$tmp/kept")"
expect 0 recommendation tune "${fast[@]}" -o "$tmp/t1" -- ls /
sum=$(md5sum <"$tmp/t1/trace.ast")
expect 2 "t1: folder is not empty" tune "${fast[@]}" -o "$tmp/t1" -- ls /usr
[ "$(md5sum <"$tmp/t1/trace.ast")" = "$sum" ] && ok || bad "a second tune -o t1 replaced trace.ast"
# -o of an earlier tune's folder: refused in one line before the program
# runs (before: the capture replaced its trace.ast, then the replay refused
# replay/ naming --force and --resume, which tune has not)
expect 0 "results: " tune "${fast[@]}" -o "$tmp/done" -- ls /
sum=$(md5sum <"$tmp/done/trace.ast")
expect 2 "^allocscope tune: .*done: folder is not empty; give a new or empty one" \
  tune "${fast[@]}" -o "$tmp/done" -- sh -c ': >ran.txt; ls /usr'
one_line "tune -o done -- PROG"
[ ! -e ran.txt ] && ok || bad "tune -o done -- PROG: the program ran"
[ "$(md5sum <"$tmp/done/trace.ast")" = "$sum" ] && ok || bad "tune -o done: trace.ast replaced"
expect 2 "^allocscope tune: .*done: folder is not empty; give a new or empty one" tune ok.csv "${fast[@]}" -o "$tmp/done"
one_line "tune ok.csv -o done"

# a program that does not exit 0: its trace kept and named, with the
# command that tunes it (until session 35 "the capture of sqlite3
# failed", under capture's own line on its status and the trace written);
# one that is not found: capture's one line, exit 2, nothing more
if command -v sqlite3 >/dev/null; then
  expect 1 "^allocscope tune: sqlite3 did not exit 0 \(above\), so it is not tuned: its trace is kept \(allocscope tune .*/failed/trace\.ast replays it\)$" \
    tune "${fast[@]}" -o "$tmp/failed" -- sqlite3 :memory: 'select * from nosuch;'
  grep -q 'capture of sqlite3 failed' "$tmp/out" && bad "tune -- failing sqlite3: 'capture of sqlite3 failed'" || ok
  expect 0 recommendation tune "$tmp/failed/trace.ast" "${fast[@]}" -o "$tmp/failed2"
else
  echo "sqlite3 not installed: a failing program not checked"
fi
# One that cannot be found or run is refused in one line before anything
# is printed or made (until session 36 the "capturing" line came first and
# the folder stayed behind holding .lock alone)
printf 'echo hi\n' >not_executable.sh
ls results >"$tmp/results.before" 2>/dev/null
for c in "no_such_program_zz|No such file or directory" "./no_such_program_zz|No such file or directory" \
  "./not_executable.sh|Permission denied" "./a_directory/|Permission denied"; do
  arg=${c%%|*} why=${c#*|}
  expect 2 "^allocscope tune: $arg: $why$" tune "${fast[@]}" -o "$tmp/nf" -- "$arg"
  one_line "tune -- $arg"
  [ ! -e "$tmp/nf" ] && ok || bad "tune -- $arg: left $tmp/nf behind: $(ls -A "$tmp/nf")"
done
expect 2 "^allocscope tune: no_such_program_zz: No such file or directory$" tune "${fast[@]}" -- no_such_program_zz
ls results 2>/dev/null | cmp -s - "$tmp/results.before" && ok || bad "tune -- no_such_program_zz: made a folder in results/"
# -o an empty folder of the user's: kept, and nothing put in it
mkdir "$tmp/nf-empty"
expect 2 "^allocscope tune: no_such_program_zz: No such file or directory$" \
  tune "${fast[@]}" -o "$tmp/nf-empty" -- no_such_program_zz
[ -d "$tmp/nf-empty" ] && [ -z "$(ls -A "$tmp/nf-empty")" ] && ok || bad "tune -o EMPTY -- no_such_program_zz: the folder changed"
# a capture that cannot start for another reason (its library not found):
# capture's line, and no folder holding .lock alone left behind
ALLOCSCOPE_CAPTURE_LIB=$tmp/no_such_lib.so expect 2 "^allocscope capture: allocscope_capture.so not found" \
  tune "${fast[@]}" -o "$tmp/nf-lib" -- /bin/true
[ ! -e "$tmp/nf-lib" ] && ok || bad "tune whose capture did not start: left $tmp/nf-lib behind: $(ls -A "$tmp/nf-lib")"

# --grid of a folder or of a file with no configuration: refused in one line,
# no folder (before: read as an empty grid, glibc alone replayed, exit 0)
printf '# nothing\n\n' >empty_grid.txt
for g in a_directory empty_grid.txt empty.csv; do
  expect 2 "^allocscope tune: --grid $g: " tune ok.csv --grid "$g" -r 2 --budget 30 --no-plot -o "$tmp/g-$g"
  one_line "tune --grid $g"
  [ ! -e "$tmp/g-$g" ] && ok || bad "tune --grid $g: left $tmp/g-$g behind"
done
# --grid of a FIFO or a device: refused in one line at once (until session
# 34 a FIFO waited for a writer and /dev/zero was read for ever); under a
# time limit, so that a hang fails (exit 137) instead of blocking the test
mkfifo grid_fifo
for g in grid_fifo /dev/zero; do
  timeout -s KILL 20 "$as" tune ok.csv --grid "$g" "${fast[@]}" -o "$tmp/g-fifo" >"$tmp/out" 2>&1
  rc=$?
  if [ "$rc" -eq 2 ] && grep -qE "^allocscope tune: --grid $g: a (FIFO|device), not a file$" "$tmp/out"; then ok; else
    bad "tune --grid $g: exit $rc (want 2, at once), output:"
    sed 's/^/  | /' "$tmp/out" >&2
  fi
  one_line "tune --grid $g"
  [ ! -e "$tmp/g-fifo" ] && ok || bad "tune --grid $g: left $tmp/g-fifo behind"
done

# an interrupt during the replays: exit 130 and one line saying tune has no
# resume (until review-a: exit 2, and "resume with: allocscope run --resume
# DIR/replay", which refuses that folder: its run.args are tune's)
awk 'BEGIN { print "op,thread,id,size_bytes,align_bytes,time_ns"
  for (i = 1; i <= 20000; i++) { print "malloc,0," i "," (i % 500 + 16) ",0,0" }
  for (i = 1; i <= 20000; i++) { print "free,0," i ",0,0,0" } }' >long.csv
"$as" tune long.csv -a glibc -r 1000 --budget 0 --no-plot -o "$tmp/intr" >"$tmp/intr.out" 2>"$tmp/intr.err" &
interrupt_at $! "$tmp/intr/replay/trials.csv" 3
[ "$rc" -eq 130 ] && ok || bad "interrupted tune: exit $rc, want 130"
grep -q "^allocscope tune: interrupted: .*tune has no resume" "$tmp/intr.err" && ok ||
  bad "interrupted tune: no line saying so: $(cat "$tmp/intr.err")"
if grep -q "run --resume" "$tmp/intr.err"; then bad "interrupted tune: a resume hint that cannot work"; else ok; fi

# --- two tunes in the same second: a folder each --------------------------------
# three back to back (tens of ms each); tried again when a second boundary
# fell between them, so that they share a stamp
same=0
for try in 1 2 3 4 5; do
  rm -rf results
  s0=$(date +%s)
  rcs=""
  for i in 1 2 3; do
    "$as" tune ok.csv "${fast[@]}" >"$tmp/same$i.out" 2>&1
    rcs="$rcs$?"
  done
  [ "$(date +%s)" = "$s0" ] && same=1 && break
done
if [ "$rcs" = 000 ]; then ok; else
  bad "three tunes in one second: exit codes $rcs (want 000):"
  cat "$tmp"/same*.out | grep -v '^ *$' | sed 's/^/  | /' | head -20 >&2
fi
dirs=$(sed -n 's|^results: \(results/[^ ]*\)/ (tune.csv.*|\1|p' "$tmp"/same*.out | sort -u)
if [ "$(grep -c . <<<"$dirs")" -eq 3 ]; then ok; else bad "three tunes, folders: $dirs"; fi
for d in $dirs; do
  [ -s "$d/tune.csv" ] && [ -s "$d/replay/trials.csv" ] && ok || bad "$d: no tune.csv or replay/trials.csv"
done
# the names, when the three shared a second: the stamp, then -2, -3
if [ "$same" = 1 ]; then
  stamp=$(date -d "@$s0" +%Y%m%d-%H%M%S)
  want=$(printf 'results/%s-tune\nresults/%s-tune-2\nresults/%s-tune-3\n' "$stamp" "$stamp" "$stamp")
  [ "$dirs" = "$want" ] && ok || bad "folders: $(echo $dirs), want: $(echo $want)"
fi

# a tune.csv with a cut row: named with its line, not drawn as a
# configuration of empty cells (until session 24 read silently)
d=$(head -1 <<<"$dirs")
cp -r "$d" "$tmp/cut_tune" && echo "garbage,,," >>"$tmp/cut_tune/tune.csv"
expect 1 "cut_tune/tune.csv: line [0-9]+: 4 of [0-9]+ fields" plot "$tmp/cut_tune"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
