#!/usr/bin/env bash
# test_tune_children.sh - what `allocscope tune -- PROG` says about what it
# leaves out: tune replays the program's own process, and when the program
# started child processes one line names how many, their events, and the
# trace to tune one of them with (kept in the folder). No ratio is ever
# printed as "nan": a baseline median of 0 says why there is none.
# usage: test_tune_children.sh ALLOCSCOPE CAPTURE_PROG
set -u
as=$(readlink -f "$1")
prog=$(readlink -f "$2")
. "$(dirname "$0")/cli_expect.sh"
cd "$tmp" || exit 1
fast=(-a glibc:top_pad=0 -r 2 --budget 60 --no-plot)

# capture_prog fork: one child process, 7 malloc/free pairs of its own
expect 0 'recommendation' tune "${fast[@]}" -o kids -- "$prog" fork
cp "$tmp/out" kids.out
note=$(grep '^note: ' kids.out)
if grep -qE "^note: the trace is capture_prog's own process; its 1 child process \(([0-9]+) events\) was left out: tune it with allocscope tune kids/trace\.ast\.[0-9]+\.[0-9]+ \([0-9]+ events\)$" <<<"$note"; then
  ok
else bad "tune -- capture_prog fork: no note on the child, or not as wanted: '$note'"; fi
events=$(sed -n 's/.*child process (\([0-9]*\) events).*/\1/p' <<<"$note")
[ "${events:-0}" -ge 14 ] && ok || bad "the child's events: '$events', want at least 14 (7 mallocs, 7 frees)"
child=$(sed -n 's/.*allocscope tune \([^ ]*\) (.*/\1/p' <<<"$note")
if [ -n "$child" ] && [ -s "$child" ]; then ok; else bad "the child's trace '$child' is not there"; fi
# and that trace is one tune takes
expect 0 'recommendation' tune "$child" "${fast[@]}" -o kid
[ "$(grep -c '^note: ' kids.out)" -eq 1 ] && ok || bad "want exactly one note line"
# tune.json says the same: 1 child, its events; a given trace: null
jkids=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d["children_left_out"], d["child_events_left_out"])' kids/tune.json)
[ "$jkids" = "1 $events" ] && ok || bad "tune.json children_left_out, child_events_left_out: '$jkids', want '1 $events'"
[ "$(python3 -c 'import json; print(json.load(open("kid/tune.json"))["children_left_out"])')" = None ] &&
  ok || bad "a given trace: children_left_out not null"

# no child: no note
expect 0 'recommendation' tune "${fast[@]}" -o single -- "$prog" single
grep -q '^note: ' "$tmp/out" && bad "tune -- capture_prog single: a note without a child: $(grep '^note: ' "$tmp/out")" || ok

# a shell that only starts the program: its own trace is tiny, the child's
# is left out and said; no "nan" anywhere, a 0 baseline says "no ratio"
expect 0 'recommendation' tune "${fast[@]}" -o sh -- sh -c "\"$prog\" fork; true"
cp "$tmp/out" sh.out
grep -qE "^note: the trace is sh's own process; its [0-9]+ child process" sh.out && ok ||
  bad "tune -- sh -c: no note on the children: $(grep -v '^ *$' sh.out | tail -5)"
for f in kids.out sh.out; do
  if grep -qiw 'nan' "$f"; then bad "$f prints a nan: $(grep -iw nan "$f")"; else ok; fi
done
# where glibc's median RSS growth is 0, the other rows say why there is no ratio
base_rss=$(awk '$2 == "glibc" {print $4}' sh.out)
if [ "$base_rss" = 0 ]; then
  grep -q "no ratio (glibc's median is 0)" sh.out && ok || bad "glibc's RSS growth is 0 and no row says why there is no ratio"
fi

# the variable that carried what tune left out of the environment across
# its re-exec does not reach the program (a review of session 21's
# change: an allocscope the program ran took it for its own)
MALLOC_CONF=narenas:1 expect 0 'recommendation' tune "${fast[@]}" -o envp -- sh -c "env >\"$tmp/env.txt\"; \"$prog\" single"
grep -q '^ALLOCSCOPE_ENV_LEFT_OUT=' "$tmp/env.txt" && bad "the program's environment has ALLOCSCOPE_ENV_LEFT_OUT" || ok
grep -q '^MALLOC_CONF=' "$tmp/env.txt" && bad "the program's environment has MALLOC_CONF" || ok

# a child that escapes the capture (env -i drops LD_PRELOAD): its trace
# is env's, not the program's; the note says its last image is in no
# trace and does not offer env's trace to tune (an outside review: it did)
expect 0 'recommendation' tune "${fast[@]}" -o esc -- sh -c "env -i \"$prog\" single >/dev/null; true"
cp "$tmp/out" esc.out
grep -q "^note: 1 process sh started then ran an image the capture library did not see" esc.out && ok ||
  bad "no note on the escaped child: $(grep '^note' esc.out)"
grep -q "tune it with" esc.out && bad "env's trace offered to tune: $(grep '^note' esc.out)" || ok
[ "$(python3 -c 'import json; print(json.load(open("esc/tune.json"))["children_untraced"])')" = 1 ] &&
  ok || bad "tune.json children_untraced not 1"

# a vfork'ed child (python's subprocess) started with env={} leaves no
# spool at all: the library's note of the spawn counts it (until session
# 24 it was unseen: no note, children_untraced 0)
if [ -x /usr/bin/python3 ]; then
  expect 0 'recommendation' tune "${fast[@]}" -o vf -- /usr/bin/python3 -c \
    "import subprocess; subprocess.run(['$prog', 'single'], env={}, stdout=subprocess.DEVNULL)"
  cp "$tmp/out" vf.out
  grep -q "^note: 1 process python3 started ran an image the capture library did not see" vf.out &&
    grep -q "^allocscope capture: 1 process /usr/bin/python3 started ran an image without the capture library (first: pid [0-9]*, $prog," vf.out &&
    ok || bad "no note on the vfork'ed escaped child: $(grep 'note\|without' vf.out)"
  [ "$(python3 -c 'import json; print(json.load(open("vf/tune.json"))["children_untraced"])')" = 1 ] &&
    ok || bad "tune.json children_untraced not 1 for the vfork'ed child"
else
  echo "skipped: the vfork'ed child (no /usr/bin/python3)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
