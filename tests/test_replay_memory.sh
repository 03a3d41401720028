#!/usr/bin/env bash
# test_replay_memory.sh - a replayed trace's RSS is the program's: a real
# program writes what it allocates, so a replay must too (trace's default
# touch=pages) and its overhead_ratio cannot be below 1. Traces captured here
# with `allocscope capture` from sqlite3 and python3 (PYTHONMALLOC=malloc),
# replayed with the default params against every general-purpose module
# (glibc, jemalloc, tcmalloc, mimalloc, refmalloc): the median overhead_ratio
# of 3 repetitions must be >= 1 - TOL. TOL = 0.02 is the resolution of an RSS
# growth of ~10 MiB on this machine (0.98-1.01 seen for glibc on the sqlite3
# trace over 5 repetitions, whose 4.3 KB page-cache blocks cost glibc ~0.5 %);
# the old default (touch=first) gave 0.77-0.80 there. Also: touch=pages
# writes every page a block spans, the last too (the same RSS as touch=all
# for 8189-byte blocks mmapped one by one at a 16-byte offset: 3 pages each).
# Skipped (77) in the sanitizer build (ASan's shadow pages are in every RSS
# figure) and where sqlite3 or python3 is missing.
# Usage: test_replay_memory.sh ALLOCSCOPE SANITIZED(0|1)
set -u
cli=$1 sanitized=$2
tol=0.02
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
if [ "$sanitized" = 1 ]; then
  echo "skipped: sanitizer build (ASan's shadow memory is in every RSS figure)"
  echo "0 passed, 0 failed"; exit 77
fi
for p in sqlite3 python3; do
  command -v $p > /dev/null || { echo "skipped: $p is not installed"; echo "0 passed, 0 failed"; exit 77; }
done
tmp=$(mktemp -d /tmp/as_test_replay_memory.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mods=glibc,jemalloc,tcmalloc,mimalloc,refmalloc

# column VALUE of trials.csv rows: "module value" per row
col() {
  python3 - "$1/trials.csv" "$2" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print(r["module"], r[sys.argv[2]], r["status"])
PY
}

# touch=pages == touch=all in RSS where a block's last page starts inside it
for t in pages all; do
  "$cli" run -q --no-plot --force -o "$tmp/t-$t" -a glibc:mmap_threshold=4096 \
    -w synth:dist=fixed,size=8189,order=never,ops=512,touch=$t -r 1 --min-time 0 --syscalls off \
    --latency 0 > "$tmp/t-$t.log" 2>&1 || bad "touch=$t run failed: $(tail -3 "$tmp/t-$t.log")"
done
p=$(col "$tmp/t-pages" mmap_rss_peak_kib | awk '{print $2}')
a=$(col "$tmp/t-all" mmap_rss_peak_kib | awk '{print $2}')
[ -n "$p" ] && [ "$p" = "$a" ] && ok "touch=pages resident $p KiB = touch=all $a KiB" ||
  bad "touch=pages resident ${p:-?} KiB, touch=all ${a:-?} KiB (a block's last page not written?)"

# the captures: a real program's own allocations
cat > "$tmp/q.sql" <<'SQL'
create table t(a integer primary key, b text, c blob);
with recursive r(i) as (select 1 union all select i+1 from r where i<20000)
insert into t select i, printf('row %d %s', i, hex(randomblob(40))), randomblob(200) from r;
create index tb on t(b);
select count(*), sum(length(c)) from t where b like 'row 1%';
SQL
"$cli" capture --fork exclude -o "$tmp/sqlite.ast" -- sqlite3 :memory: < "$tmp/q.sql" \
  > "$tmp/cap-sqlite.log" 2>&1 || bad "capture sqlite3: $(tail -3 "$tmp/cap-sqlite.log")"
PYTHONMALLOC=malloc "$cli" capture --fork exclude -o "$tmp/python.ast" -- python3 -S -c '
import json
d = [{"k": i, "v": str(i) * 10, "l": list(range(i % 50))} for i in range(1500)]
print(len(json.loads(json.dumps(d))))' > "$tmp/cap-python.log" 2>&1 ||
  bad "capture python3: $(tail -3 "$tmp/cap-python.log")"

for tr in sqlite python; do
  [ -s "$tmp/$tr.ast" ] || { bad "$tr: no trace"; continue; }
  if ! "$cli" run -q --no-plot --min-time 0 -o "$tmp/r-$tr" -a $mods -w "trace:$tmp/$tr.ast" -r 3 \
    --syscalls off --latency 0 > "$tmp/r-$tr.log" 2>&1; then
    bad "$tr: replay failed: $(tail -3 "$tmp/r-$tr.log")"; continue
  fi
  col "$tmp/r-$tr" overhead_ratio | python3 -c '
import sys, statistics
tr, tol, mods = sys.argv[1], float(sys.argv[2]), sys.argv[3].split(",")
got = {}
for line in sys.stdin:
    m, v, st = line.split()
    if st != "ok":
        print("BAD %s %s: status %s" % (tr, m, st)); continue
    got.setdefault(m, []).append(float(v))
for m in mods:
    if m not in got:
        print("BAD %s %s: no row" % (tr, m)); continue
    med = statistics.median(got[m])
    word = "OK" if med >= 1 - tol else "BAD"
    print("%s %s %s: overhead_ratio median %.4f of %s (>= %.2f)" %
          (word, tr, m, med, " ".join("%.4f" % x for x in got[m]), 1 - tol))
' "$tr" "$tol" "$mods" > "$tmp/v-$tr"
  while read -r word rest; do
    if [ "$word" = OK ]; then ok "$rest"; else bad "$rest"; fi
  done < "$tmp/v-$tr"
done

echo "$pass passed, $fail failed"
[ $fail = 0 ]
