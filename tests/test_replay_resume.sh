#!/usr/bin/env bash
# test_replay_resume.sh - an interrupted `replay` is finished by what its
# interrupt message says: `allocscope run --resume DIR`. Until review-a that
# refused the folder ("DIR/run.args is not a run's arguments": run.args held
# replay's own arguments, TRACE first) and replay had no --resume, so an
# interrupted replay could not be finished at all.
# usage: test_replay_resume.sh ALLOCSCOPE MODS_DIR
set -u
as=$(readlink -f "$1") mods=$(readlink -f "$2")
. "$(dirname "$0")/cli_expect.sh"
cd "$tmp" || exit 1
{
  echo 'op,thread,id,size_bytes,align_bytes,time_ns'
  for i in 1 2 3 4 5 6 7 8; do echo "malloc,0,$i,$((i * 1000)),0,0"; done
  for i in 1 2 3 4 5 6 7 8; do echo "free,0,$i,0,0,0"; done
} >t.csv
# null's trial, then one that hangs (the interrupt lands in it), then glibc's
"$as" replay t.csv -a null,"$mods/broken_hang.so",glibc --no-quick-check --timeout 3 \
  -r 1 --min-time 0 -q --no-plot -o rr >rr.out 2>rr.err &
interrupt_at $! rr/trials.csv 2
[ "$rc" -eq 130 ] && ok || bad "interrupted replay: exit $rc, want 130"
grep -q "resume with: allocscope run --resume rr" rr.err && ok || bad "no resume line: $(cat rr.err)"
[ "$(grep -c . rr/trials.csv)" = 2 ] && ok || bad "interrupted: $(grep -c . rr/trials.csv) lines in trials.csv, want 2"

expect 1 "results: rr/" run --resume rr
if grep -q "not a run's arguments" "$tmp/out"; then bad "run --resume of a replay refused"; else ok; fi
st=$(cut -d, -f1,3,10 rr/trials.csv | tail -n +2 | sed "s|$mods/||" | tr '\n' ' ')
[ "$st" = "0,null,ok 1,broken_hang.so,timeout 2,glibc,ok " ] && ok || bad "after the resume: $st"
[ "$(grep -c ",trace,file=t.csv," rr/trials.csv)" = 3 ] && ok || bad "not the trace's rows"
# done: a second resume runs nothing and keeps the rows
expect 1 "results: rr/" run --resume rr
[ "$(grep -c . rr/trials.csv)" = 4 ] && ok || bad "second resume: $(grep -c . rr/trials.csv) lines"
# a replay given TRACE after its options (replay accepts it): its folder
# too (until a review: "not a run's arguments", exit 2)
"$as" replay -a glibc -r 1 --min-time 0 -q --no-plot -o ro t.csv >/dev/null 2>&1
expect 0 "results: ro/" run --resume ro
[ "$(grep -c . ro/trials.csv)" = 2 ] && ok || bad "resume of ro: $(grep -c . ro/trials.csv) lines"
# run.args that are neither a run's nor a replay's: one line
mkdir bad && printf 't.csv\0--bogus\0' >bad/run.args
expect 2 "cannot resume bad: bad/run.args is not a run's or a replay's arguments" run --resume bad

# a 2-thread trace on a module that is not thread-safe (null): its skipped
# rows say the trace's own 2 threads, as the ok rows beside them do (they
# said -t's 1 until session 26: summary.csv had null at t1, glibc at t2),
# and a resume matches them to the matrix (runs none of them again)
{
  echo 'op,thread,id,size_bytes,align_bytes,time_ns'
  for i in 1 2 3 4; do echo "malloc,$((i % 2)),$i,64,0,0"; done
  for i in 1 2 3 4; do echo "free,$((i % 2)),$i,0,0,0"; done
} >t2.csv
"$as" replay t2.csv -a null,glibc -r 2 --min-time 0 -q --no-plot -o rt >/dev/null 2>&1
st=$(cut -d, -f3,8,10 rt/trials.csv | tail -n +2 | sort -u | tr '\n' ' ')
[ "$st" = "glibc,2,ok null,2,skipped " ] && ok || bad "2-thread trace rows: $st"
grep -q "null,.*,skipped,.*not -t 1" rt/trials.csv && ok || bad "skipped row without the threads note"
head -4 rt/trials.csv >rt/t && mv rt/t rt/trials.csv
expect 0 "results: rt/" run --resume rt
st=$(cut -d, -f1,2,3,10 rt/trials.csv | tail -n +2 | tr '\n' ' ')
[ "$st" = "0,0,null,skipped 1,0,glibc,ok 0,1,null,skipped 1,1,glibc,ok " ] && ok ||
  bad "after resuming the 2-thread replay: $st"

# a 1-thread trace under -t 2: the note says "1 thread" (it said "1
# threads" before session 35), and a resume matches the rows by it, and by
# the old wording in a folder an older allocscope wrote
"$as" run -w trace:t.csv -a glibc -t 2 -r 2 --min-time 0 -q --no-plot -o r1 >/dev/null 2>&1
grep -q "glibc,.*,ok,.*the workload ran on its own 1 thread, not -t 2" r1/trials.csv && ok ||
  bad "1-thread note: $(tail -1 r1/trials.csv)"
head -2 r1/trials.csv >r1/t && mv r1/t r1/trials.csv
expect 0 "results: r1/" run --resume r1
[ "$(grep -c "1 thread, not -t 2" r1/trials.csv)" = 2 ] && ok || bad "resume of r1: $(cat r1/trials.csv)"
head -2 r1/trials.csv | sed 's/1 thread, not -t 2/1 threads, not -t 2/' >r1/t && mv r1/t r1/trials.csv
expect 0 "results: r1/" run --resume r1
[ "$(grep -c . r1/trials.csv)" = 3 ] && grep -q "1 threads, not -t 2" r1/trials.csv && ok ||
  bad "resume of an older folder's 1 threads: $(cat r1/trials.csv)"
# "not -t 12" is not "not -t 1": a row of another matrix (-t 12) refused
sed 's/1 threads*, not -t 2/1 threads, not -t 21/' r1/trials.csv >r1/t && mv r1/t r1/trials.csv
expect 2 "" run --resume r1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
