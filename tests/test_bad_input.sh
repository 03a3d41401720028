#!/usr/bin/env bash
# test_bad_input.sh - input from outside that no other test tried (session
# 34, docs/reliability.md "Bad input from outside"): names that are not
# UTF-8, a results table with a row written twice, a list option given
# twice, an empty capture -o, plot -o of a file, an mtrace line's defect;
# session 35: chart text that is not UTF-8, a CSV file with a BOM, exec -a
# twice, compare with nothing to compare, numbers in hex or after a space,
# an empty run.args, a trials.csv row without its module, help's words,
# compare of a file, a FIFO as a trace or size table, --resume '', list '';
# session 36: report.md and .html of a name that is not UTF-8, check of a
# module named twice, plot -o a folder that holds results.
# Each is one stderr line naming the thing and the reason and exit 2, or
# works as the same input in good form does; no result already written is
# lost.
# usage: test_bad_input.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export ALLOCSCOPE_NO_LIBC_PROBE=1
quick=(-r 1 -q --no-plot --min-time 0 -w random:ops=1000,live=10)

# json_ok FILE: FILE parses as JSON (python3's json; skipped without it)
json_ok() {
  command -v python3 >/dev/null 2>&1 || return 0
  python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$1"
}

# --- a results folder named in Latin-1: its summary.json is UTF-8 ----------
# (until session 34: "out of memory: a context.csv value as JSON", exit 71,
# and no summary.json; jansson refuses a string that is not UTF-8)
lat1=$tmp/$'r\xe9sultats'
"$as" run -a null "${quick[@]}" -o "$lat1" >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ -s "$lat1/summary.json" ] && json_ok "$lat1/summary.json"; then ok; else
  bad "run -o (a Latin-1 name): exit $rc, summary.json $(ls "$lat1" 2>&1 | tr '\n' ' '):"
  sed 's/^/  | /' "$tmp/out" >&2
fi
if grep -q '"command": "run .*r\\ufffdsultats\|"command": "run .*r�sultats' "$lat1/summary.json" 2>/dev/null; then ok; else
  bad "summary.json's command does not show the folder's bad byte as U+FFFD"
fi
# compare --json of it: its name in "b"
"$as" compare "$lat1" "$lat1" --json >"$tmp/cmp.json" 2>"$tmp/cmp.err"
rc=$?
if [ "$rc" -ne 71 ] && json_ok "$tmp/cmp.json" && grep -q '"b": ".*r�sultats"' "$tmp/cmp.json"; then ok; else
  bad "compare --json of a Latin-1 folder: exit $rc:"
  sed 's/^/  | /' "$tmp/cmp.err" "$tmp/cmp.json" >&2
fi

# --- trials.csv with a row written twice ------------------------------------
# plot counted it twice in the medians and the report, exit 0, while
# compare refused it (until session 34); run --resume kept the later copy
# without a word
"$as" run -a null,bump -r 2 -q --no-plot --min-time 0 -w random:ops=1000,live=10 -o "$tmp/twice" >/dev/null 2>&1
rm -f "$tmp/twice/.lock"
tail -1 "$tmp/twice/trials.csv" >>"$tmp/twice/trials.csv"
cp -r "$tmp/twice" "$tmp/twice2"
"$as" plot "$tmp/twice" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
   grep -q "twice/trials.csv: lines 5 and 6: trial 1 repetition 1 twice: the folder is damaged" "$tmp/err" &&
   [ ! -e "$tmp/twice/report.md" ] && [ ! -e "$tmp/twice/plots" ]; then ok; else
  bad "plot of a trials.csv with a row twice: exit $rc (want 2, one line, no report):"
  sed 's/^/  | /' "$tmp/err" "$tmp/out" >&2
fi
expect 2 "lines 5 and 6: trial 1 repetition 1 twice" compare "$tmp/twice" "$tmp/twice"
"$as" run --resume "$tmp/twice2" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "row 6 (trial 1 rep 1): that trial's second row; left out" "$tmp/err" &&
   [ "$(grep -c . "$tmp/twice2/trials.csv")" -eq 5 ] && "$as" plot -q "$tmp/twice2" >/dev/null 2>&1; then ok; else
  bad "run --resume of a trials.csv with a row twice: exit $rc, $(grep -c . "$tmp/twice2/trials.csv") lines:"
  sed 's/^/  | /' "$tmp/err" >&2
fi

# --- a list option given twice ---------------------------------------------
# the later list replaced the earlier in silence: `-a null -a bump` ran
# bump alone, exit 0 (until session 34); a one-value option may come again
# (the later wins: a script appends to a line of defaults), a flag too
expect 2 "^allocscope run: option -a given twice \('null', then 'bump'\): give one comma-separated list$" \
  run -a null -a bump "${quick[@]}" -o "$tmp/twice-a"
expect 2 "option -w given twice \('random', then 'larson'\)" run -a null -w random -w larson -o "$tmp/twice-w"
expect 2 "option -t given twice \('1', then '2'\)" run -a null -t 1 --threads=2 -o "$tmp/twice-t"
for d in twice-a twice-w twice-t; do
  if [ ! -e "$tmp/$d" ]; then ok; else bad "a refused command made $d"; fi
done
expect 2 "option -a given twice" replay x.ast -a null -a bump
expect 2 "option -a given twice" suite --quick -a null threshold -a bump -o "$tmp/twice-s"
expect 2 "option -a given twice" tune x.ast -a glibc -a bump
# exec takes one module: the second -a ran the program under it alone
# (until session 35); a program's own -a after -- is its own
expect 2 "^allocscope exec: option -a given twice \('null', then 'glibc'\): give one module$" \
  exec -a null -a glibc -- sh -c ": >'$tmp/ran-exec.txt'"
expect 2 "option -a given twice" exec -a null --allocators=glibc -- /bin/true
if [ ! -e "$tmp/ran-exec.txt" ]; then ok; else bad "exec -a twice: the program ran"; fi
if [ -z "${ALLOCSCOPE_SANITIZED:-}" ]; then
  expect 0 "^-a null$" exec -a glibc -- /bin/echo -a null
else # a sanitized module needs the ASan runtime in the program (test_exec)
  echo "skipped one check: exec of a program in the sanitizer build"
fi
# on either side of an operand: one command line
expect 2 "^allocscope plot: option --format given twice \('png', then 'svg'\)" plot --format png "$tmp/twice2" --format svg
expect 2 "option --modules given twice" plot "$tmp/twice2" --modules null --modules bump
"$as" run -q -q -a null "${quick[@]}" -r 2 -o "$tmp/again" >/dev/null 2>&1
if [ "$(grep -c . "$tmp/again/trials.csv" 2>/dev/null)" = 3 ]; then ok; else
  bad "run -r 1 ... -r 2 (a one-value option twice, -q twice): not 2 rows"
fi

# --- capture -o '': refused before the program runs --------------------------
# (until session 34 the program ran, then "'' not written", two lines)
expect 2 "^allocscope capture: option -o: empty path \(-o names the trace file\)$" \
  capture -o '' -- sh -c ": >'$tmp/ran.txt'"
if [ ! -e "$tmp/ran.txt" ]; then ok; else bad "capture -o '': the program ran"; fi

# --- plot -o a file ------------------------------------------------------------
# (until session 34: a file of that name passed for the folder, and plot
# said "cannot write" per chart and report, exit 1)
echo mine >"$tmp/a-file"
expect 2 "^allocscope plot: -o $tmp/a-file: exists and is not a folder$" plot "$tmp/twice2" -o "$tmp/a-file"
if [ "$(cat "$tmp/a-file")" = mine ]; then ok; else bad "plot -o FILE changed the file"; fi
expect 2 "^allocscope plot: -o $tmp/a-file/x: cannot create folder: Not a directory$" plot "$tmp/twice2" -o "$tmp/a-file/x"

# --- an mtrace line that is whole but no record: its defect named -----------
# (until session 34 only "torn ... several processes wrote this log ... or
# it was altered", whatever the line held: a size of 2^64 - 1 read as a
# fork)
printf '= Start\n@ ./p:[0x1] + 0x10 0xffffffffffffffff\n@ ./p:[0x1] - 0x10\n= End\n' >"$tmp/huge.mtrace"
expect 2 "huge.mtrace: line 2: torn before the log's end .* or it was altered \(that line: size 0xffffffffffffffff after '\+' is larger than the address space\)" \
  trace import mtrace "$tmp/huge.mtrace" -o "$tmp/huge.ast"
if [ "$(wc -l <"$tmp/out")" -eq 1 ] && [ ! -e "$tmp/huge.ast" ]; then ok; else
  bad "trace import of a log with a size of 2^64 - 1: not one line, or a trace left"
fi

# --- text that is not UTF-8 in a chart: the SVG stays XML ----------------------
# (until session 35 gnuplot copied the bytes into the SVG: "not
# well-formed", xmllint "Input is not proper UTF-8"); a --title that is not
# UTF-8 is refused, a module's name from the folder is drawn with U+FFFD
# xml_ok FILE: FILE parses as XML (xmllint, else python3; 1 without either)
xml_ok() {
  if command -v xmllint >/dev/null 2>&1; then xmllint --noout "$1" 2>/dev/null
  else python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1" 2>/dev/null; fi
}
expect 2 "^allocscope plot: option --title: byte 0xe9 \(byte 4\) is not UTF-8: give the title in UTF-8$" \
  plot "$tmp/twice2" --format svg --title $'caf\xe9'
if [ "$(wc -l <"$tmp/out")" -eq 1 ] && [ ! -e "$tmp/twice2/plots/throughput.svg" ]; then ok; else
  bad "plot --title (not UTF-8): not one line, or charts drawn"
fi
mods=$(dirname "$(dirname "$(readlink -f "$as")")")/allocators
if command -v xmllint >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1; then
  cp "$mods/null.so" "$tmp/"$'n\xe9.so'
  "$as" run -a "$tmp/"$'n\xe9.so' "${quick[@]}" -o "$tmp/lat1mod" >/dev/null 2>&1
  "$as" plot -q --format svg "$tmp/lat1mod" >"$tmp/out" 2>&1
  rc=$? n=0 nbad=0
  for f in "$tmp/lat1mod/plots/"*.svg; do
    [ -e "$f" ] || continue
    n=$((n+1))
    xml_ok "$f" || nbad=$((nbad+1))
  done
  if [ "$rc" -eq 0 ] && [ "$n" -gt 0 ] && [ "$nbad" -eq 0 ]; then ok; else
    bad "plot --format svg of a module named in Latin-1: exit $rc, $nbad of $n SVGs not XML"
    sed 's/^/  | /' "$tmp/out" >&2
  fi
else
  echo "not checked: SVGs of a Latin-1 module name (neither xmllint nor python3)"
fi

# --- a CSV file that starts with a UTF-8 byte order mark (BOM) ---------------
# a spreadsheet's "CSV UTF-8" saves one; until session 35 a trace was
# refused as "header column '\ufeffop' should be 'op'" and a results table as
# "no column 'trial'", the BOM unnamed: now every reader passes over it
bom=$'\xef\xbb\xbf'
if "$as" capture -o "$tmp/ls.ast" -- /bin/ls / >/dev/null 2>&1 &&
   "$as" trace convert "$tmp/ls.ast" "$tmp/ls.csv" >/dev/null 2>&1; then
  { printf %s "$bom"; cat "$tmp/ls.csv"; } >"$tmp/ls-bom.csv"
  "$as" trace stats "$tmp/ls.csv" 2>&1 | sed 1d >"$tmp/st1"
  "$as" trace stats "$tmp/ls-bom.csv" >"$tmp/st2" 2>&1
  rc=$?
  sed -i 1d "$tmp/st2"
  if [ "$rc" -eq 0 ] && cmp -s "$tmp/st1" "$tmp/st2"; then ok; else
    bad "trace stats of a CSV trace with a BOM: exit $rc, or other numbers:"
    diff "$tmp/st1" "$tmp/st2" | sed 's/^/  | /' >&2
  fi
  "$as" trace convert "$tmp/ls-bom.csv" "$tmp/ls2.ast" >/dev/null 2>&1
  if cmp -s "$tmp/ls.ast" "$tmp/ls2.ast"; then ok; else bad "trace convert of a CSV trace with a BOM: not the same trace"; fi
else
  bad "capture of /bin/ls, or its convert to CSV, failed"
fi
"$as" run -a null,bump "${quick[@]}" -o "$tmp/bom" >/dev/null 2>&1
rm -f "$tmp/bom/.lock"
for f in trials series latency context; do
  { printf %s "$bom"; cat "$tmp/bom/$f.csv"; } >"$tmp/bom/$f.new" && mv "$tmp/bom/$f.new" "$tmp/bom/$f.csv"
done
expect 0 "^report: " plot "$tmp/bom"
expect 0 "^bump .* 1\.000 " compare "$tmp/bom" "$tmp/bom"
"$as" run --resume "$tmp/bom" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(grep -c . "$tmp/bom/trials.csv")" -eq 3 ] &&
   [ "$(head -c 5 "$tmp/bom/trials.csv")" = trial ]; then ok; else
  bad "run --resume of tables with a BOM: exit $rc, trials.csv $(head -c 12 "$tmp/bom/trials.csv" | od -c | head -1):"
  sed 's/^/  | /' "$tmp/err" >&2
fi

# --- compare with nothing to compare: the one line, nothing on stdout -------
# (until session 35 the table's header and its "only in" lines came on
# stdout before the refusal)
cp -r "$tmp/twice2" "$tmp/hdr"
head -1 "$tmp/twice2/trials.csv" >"$tmp/hdr/trials.csv"
"$as" run -a glibc "${quick[@]}" -o "$tmp/other" >/dev/null 2>&1
for pair in "hdr twice2" "twice2 hdr" "twice2 other"; do
  set -- $pair
  "$as" compare "$tmp/$1" "$tmp/$2" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then ok; else
    bad "compare $pair: exit $rc (want 2), stdout $(wc -l <"$tmp/out") lines (want none), stderr:"
    sed 's/^/  | /' "$tmp/err" >&2
  fi
done
# both folders ran the module, and it crashed in both (a module of
# tests/mods): the line says so, not "no module/workload/threads in both
# folders" (until session 35 only the table's last line on stdout said
# why)
brk=$(dirname "$mods")/tests/mods/broken_create_crash.so
if [ -e "$brk" ]; then
  "$as" run -a "$brk" "${quick[@]}" -o "$tmp/crash1" >/dev/null 2>&1
  cp -r "$tmp/crash1" "$tmp/crash2"
  "$as" compare "$tmp/crash1" "$tmp/crash2" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
     grep -q "^allocscope compare: no ok repetition in either folder of the 1 module/workload/threads they share (failed or skipped there: trials.csv's reason says why)$" "$tmp/err"; then ok; else
    bad "compare of two folders where the module crashed: exit $rc:"; sed 's/^/  | /' "$tmp/out" "$tmp/err" >&2
  fi
else
  echo "not checked: compare of two crashed folders (no $brk)"
fi
expect 2 "^allocscope compare: $tmp/hdr: no trial rows in its trials.csv \(a run stopped before its first trial\?\): nothing to compare$" \
  compare "$tmp/twice2" "$tmp/hdr"
"$as" compare "$tmp/hdr" "$tmp/twice2" --json >"$tmp/out" 2>/dev/null
rc=$?
if [ "$rc" -eq 2 ] && json_ok "$tmp/out" && grep -q '"error": ".*no trial rows' "$tmp/out"; then ok; else
  bad "compare --json of a header-only trials.csv: exit $rc, or no JSON error"
fi

# --- a number with a leading space or in hex ---------------------------------
# (until session 35 strtoull read --seed ' -1' as 2^64 - 1 and strtod read
# --timeout 0x10 as 16 s, --threshold 0x10 as 16 %, without a word)
expect 2 "^allocscope run: option --seed: ' -1' is not a whole number in 0\.\.18446744073709551615$" \
  run -a null "${quick[@]}" --seed ' -1' -o "$tmp/seed"
expect 2 "^allocscope run: option --timeout: '0x10' is not a number in 0\.1\.\.86400$" \
  run -a null "${quick[@]}" --timeout 0x10 -o "$tmp/seed"
expect 2 "^allocscope run: option --warmup: ' 1' is not a whole number" run -a null "${quick[@]}" --warmup ' 1' -o "$tmp/seed"
if [ ! -e "$tmp/seed" ]; then ok; else bad "a refused number made a folder"; fi
expect 2 "^allocscope compare: option --threshold: '0x10' is not a percentage" compare "$tmp/twice2" "$tmp/twice2" --threshold 0x10
expect 0 "more than 50 %" compare "$tmp/twice2" "$tmp/twice2" --threshold .5e2%

# --- run.args emptied: named, not "option -a is required" ---------------------
# (until session 35 the resumed command line was parsed as given: a run
# without -a, which the user never typed)
cp -r "$tmp/twice2" "$tmp/noargs"
: >"$tmp/noargs/run.args"
cp "$tmp/noargs/trials.csv" "$tmp/noargs.trials"
expect 2 "^allocscope run: cannot resume $tmp/noargs: $tmp/noargs/run.args is empty, not a run's arguments \(the folder is damaged\)$" \
  run --resume "$tmp/noargs"
if cmp -s "$tmp/noargs/trials.csv" "$tmp/noargs.trials"; then ok; else bad "run --resume of an empty run.args changed trials.csv"; fi

# --- a trials.csv row without its module or status ---------------------------
# (until session 35 plot drew the row as a module named '', exit 0, while
# compare refused the folder)
cp -r "$tmp/twice2" "$tmp/noname"
rm -rf "$tmp/noname/plots" "$tmp/noname/report.md"
sed -i '2s/^\([0-9]*,[0-9]*\),null,/\1,,/' "$tmp/noname/trials.csv"
expect 2 "^allocscope plot: $tmp/noname/trials.csv: line 2, column 3 \(module\): '' is empty$" plot "$tmp/noname"
if [ ! -e "$tmp/noname/report.md" ]; then ok; else bad "plot of a row without its module wrote a report"; fi
expect 2 "noname/trials.csv: line 2: module or status empty" compare "$tmp/twice2" "$tmp/noname"

# --- help and --version with a word too many; help help ----------------------
# (until session 35 the word was passed over: `help run plot` showed run's
# help, exit 0; `help help` was "unknown topic 'help'")
expect 2 "^allocscope help: unexpected argument 'plot' \(one topic: results, or a command\)$" help run plot
expect 2 "^allocscope version: unexpected argument 'x' \(it takes none\)$" --version x
expect 0 "^usage: allocscope COMMAND" help help

# --- compare of a file, a FIFO, an empty path --------------------------------
# (until session 35 a file or a FIFO was "cannot read it: Permission
# denied", even to root: the failed access(X_OK); an empty path showed as
# nothing, "compare: : not a results folder")
mkfifo "$tmp/fifo"
expect 2 "^allocscope compare: $tmp/twice2/trials.csv: not a folder$" compare "$tmp/twice2" "$tmp/twice2/trials.csv"
expect 2 "^allocscope compare: $tmp/fifo: not a folder$" compare "$tmp/fifo" "$tmp/twice2"
expect 2 "^allocscope compare: '': not a results folder" compare "$tmp/twice2" ''

# --- a FIFO (or /dev/zero) where a trace or a size table belongs -------------
# (until session 35 trace stats, replay and run -w trace: of a FIFO waited
# in open(2) for a writer for good, and a synth size table of a FIFO too,
# of /dev/zero read it for ever; tune --grid's was fixed in session 34)
[ -p "$tmp/fifo" ] || mkfifo "$tmp/fifo"
# fifo_refused WANT ARGS...: exit 2 within 10 s, one line matching WANT
fifo_refused() {
  local want=$1 rc
  shift
  timeout 10 "$as" "$@" >"$tmp/out" 2>&1
  rc=$?
  if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -qE -- "$want" "$tmp/out"; then ok; else
    bad "allocscope $*: exit $rc (want 2 at once, one line /$want/):"; sed 's/^/  | /' "$tmp/out" >&2
  fi
}
fifo_refused "fifo: a FIFO, not a file$" trace stats "$tmp/fifo"
fifo_refused "fifo: a FIFO, not a file$" replay "$tmp/fifo" -a null -q --no-plot -o "$tmp/rp-fifo"
fifo_refused "key 'table': .*fifo: a FIFO, not a file$" run -a null -w "synth:dist=table,table=$tmp/fifo" -q --no-plot -o "$tmp/tb-fifo"
fifo_refused "key 'table': /dev/zero: not a regular file$" run -a null -w "synth:dist=table,table=/dev/zero" -q --no-plot -o "$tmp/tb-zero"
if [ ! -e "$tmp/rp-fifo" ] && [ ! -e "$tmp/tb-fifo" ] && [ ! -e "$tmp/tb-zero" ]; then ok; else bad "a refused trace or table made a folder"; fi
# a run folder's context.csv a FIFO: --resume hung in open(2) reading its
# label (until session 35)
cp -r "$tmp/twice2" "$tmp/ctxfifo"
rm "$tmp/ctxfifo/context.csv" && mkfifo "$tmp/ctxfifo/context.csv"
fifo_refused "^allocscope: cannot resume: .*ctxfifo/context.csv: a FIFO, not a file$" run --resume "$tmp/ctxfifo"

# --- --resume '': refused, not looked up as /run.args ----------------------------
# (until session 35 "" + "/run.args" was the root's file: "cannot resume
# '': /run.args: No such file or directory", and a /run.args there would
# have been resumed into "")
expect 2 "^allocscope run: option --resume: empty path \(--resume DIR names a results folder\)$" run --resume ''
expect 2 "^allocscope suite: option --resume: empty path" suite --resume=

# --- list '': the empty name shown as '' -------------------------------------
# (until session 35 "allocscope list: : no module, ...", a stray colon)
expect 2 "^allocscope list: '': no module, workload, suite or scenario of that name" list ''

# --- session 36 --------------------------------------------------------------
# --- a module named with a byte that is not UTF-8: report.md and .html are --
# (until session 36 both copied the name's bytes as they were: iconv
# "illegal input sequence", while the SVGs and summary.json showed U+FFFD);
# a run folder so named, plotted with a folder of runs into -o: its link
# is percent-encoded and its charts are still put inline in report.html
# utf8_ok FILE: FILE is UTF-8 (iconv, else python3)
utf8_ok() {
  if command -v iconv >/dev/null 2>&1; then iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
  else python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1" 2>/dev/null; fi
}
if command -v iconv >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1; then
  cp "$mods/null.so" "$tmp/"$'n\xff.so'
  "$as" run -a "$tmp/"$'n\xff.so' "${quick[@]}" -o "$tmp/ffmod" >/dev/null 2>&1
  "$as" plot -q --format svg --tables md "$tmp/ffmod" >"$tmp/out" 2>&1
  rc=$?
  for f in report.md report.html tables/throughput.md; do
    if [ "$rc" -eq 0 ] && [ -s "$tmp/ffmod/$f" ] && utf8_ok "$tmp/ffmod/$f" &&
       grep -q $'n\xef\xbf\xbd' "$tmp/ffmod/$f"; then ok; else
      bad "plot of a module named with byte 0xff: exit $rc, $f not UTF-8 (or no U+FFFD):"
      sed 's/^/  | /' "$tmp/out" >&2
    fi
  done
  mkdir "$tmp/ffruns"
  cp -r "$tmp/twice2" "$tmp/ffruns/"$'r\xff'
  rm -rf "$tmp/ffruns/"*/plots "$tmp/ffruns/"*/report.*
  "$as" plot -q --format svg "$tmp/ffruns" -o "$tmp/ffout" >"$tmp/out" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] && utf8_ok "$tmp/ffout/report.md" && utf8_ok "$tmp/ffout/report.html" &&
     grep -q '(r%FF/report.md)' "$tmp/ffout/report.md" &&
     grep -q 'href="r%FF/report.html"' "$tmp/ffout/report.html" &&
     grep -q '<svg' "$tmp/ffout/report.html" && ! grep -q 'chart not found' "$tmp/ffout/report.html"; then ok; else
    bad "plot -o of a folder of runs, one named with byte 0xff: exit $rc, reports not UTF-8 or its link lost:"
    sed 's/^/  | /' "$tmp/out" >&2
  fi
else
  echo "not checked: reports of a module named with byte 0xff (neither iconv nor python3)"
fi

# --- check of a module named twice: refused as run's -a null,null is ---------
# (until session 36 `check null null` ran the whole suite twice, exit 0;
# run and exec refuse a module given twice); a spec that does not parse is
# refused before the first module's checks run
expect 2 "^allocscope check: 'null' is given twice \(its checks would run twice\)$" check null glibc null
if [ "$(wc -l <"$tmp/out")" -eq 1 ]; then ok; else bad "check null glibc null: not one line"; fi
expect 2 "^allocscope check: 'null:buffer=1m' is given twice" check null:buffer=1m null:buffer=1m
expect 2 "^allocscope check: 'null:x': key 'x' has no '=value'$" check null null:x
if [ "$(wc -l <"$tmp/out")" -eq 1 ]; then ok; else bad "check null null:x: ran null's checks before the refusal"; fi

# --- plot -o a folder that holds results: refused, nothing in it changed -----
# (until session 36 `plot DIR -o DIR` drew time.png, data/ etc. among
# trials.csv and the rest, `plot A -o B` wrote A's report over B's, and
# `plot RUNS -o RUNS` wrote into each run folder: exit 0)
# snap DIR: every file below DIR with its checksum
snap() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 md5sum); }
snap "$tmp/twice2" >"$tmp/snap.a"
snap "$tmp/other" >"$tmp/snap.b"
snap "$tmp/ffruns" >"$tmp/snap.c"
expect 2 "^allocscope plot: -o $tmp/twice2: the folder plotted itself: plot's charts and report would be mixed with its results; give -o another folder, or leave it out \(the charts go to its plots/ folder\)$" \
  plot "$tmp/twice2" -o "$tmp/twice2"
expect 2 "^allocscope plot: -o $tmp/twice2/\.: the folder plotted itself" plot "$tmp/twice2" -o "$tmp/twice2/."
expect 2 "^allocscope plot: -o $tmp/other: a results folder \(it has a trials.csv\): plot's charts and report would be mixed with its results; give -o a folder that holds none$" \
  plot "$tmp/twice2" -o "$tmp/other"
expect 2 "^allocscope plot: -o $tmp/ffruns: the folder plotted itself: .*give -o another folder$" plot "$tmp/ffruns" -o "$tmp/ffruns"
expect 2 "^allocscope plot: -o $tmp: a results folder \(its subfolders hold runs\)" plot "$tmp/twice2" -o "$tmp"
# a suite's OUT/SCENARIO that holds runs of its own
mkdir -p "$tmp/nest/"$'r\xff'
cp -r "$tmp/twice2" "$tmp/nest/"$'r\xff/inner'
expect 2 "^allocscope plot: -o $tmp/nest: $tmp/nest/r\\\\xff is a results folder \(its subfolders hold runs\)" plot "$tmp/ffruns" -o "$tmp/nest"
if [ "$(wc -l <"$tmp/out")" -eq 1 ] && [ ! -e "$tmp/nest/report.md" ]; then ok; else bad "plot -o of a folder whose scenario folder holds runs: not one line, or a report written"; fi
snap "$tmp/twice2" | cmp -s - "$tmp/snap.a" && snap "$tmp/other" | cmp -s - "$tmp/snap.b" &&
  snap "$tmp/ffruns" | cmp -s - "$tmp/snap.c" && ok || bad "a refused plot -o changed a results folder"
# a folder inside the run's own (not a results folder) is fine, and leaves
# the results as they were
expect 0 "^report: $tmp/twice2/figs/report.md$" plot "$tmp/twice2" -o "$tmp/twice2/figs"
snap "$tmp/twice2" | grep -v ' \./figs/' | cmp -s - "$tmp/snap.a" && ok || bad "plot -o DIR/figs changed a file outside figs/"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
