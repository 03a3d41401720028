#!/usr/bin/env bash
# test_start_rss.sh - trials.csv module_start_rss_kib: the RSS a module
# adds as it loads and creates its instance, read around those two steps
# alone. Until session 35 tune took an allocator's start-up from the least
# rss_before_kib, which also holds the harness's work on the op stream: two
# tunes of one python3 script put tcmalloc's at 4.7 and 6.3 MiB, and
# test_tune_verify's --max-rss fitted nothing now and then. Here each real
# allocator's start-up (its least less glibc's) must be the same on a tiny
# workload and on a sqlite3 trace of 50,000 rows, and hold against sqlite3
# itself with the library preloaded (peak RSS less glibc's: tcmalloc about
# 5.1 MiB, jemalloc 1.8, mimalloc 0.3).
# usage: test_start_rss.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
src=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/cli_expect.sh"
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 not installed"; exit 77; }
[ -x /usr/bin/time ] || { echo "skipped: /usr/bin/time not installed"; exit 77; }
mods=
for m in tcmalloc jemalloc mimalloc; do
  "$as" list "$m" >/dev/null 2>&1 && mods="$mods $m"
done
[ -n "$mods" ] || { echo "skipped: none of tcmalloc, jemalloc, mimalloc is built"; exit 77; }
# the libraries a program preloads (bench/preload_libs.sh exits 2 without one)
libs=$(me=test_start_rss && . "$src/bench/preload_libs.sh" 2>&1 &&
  for m in $mods; do echo "$m ${lib[$m]}"; done) ||
  { echo "skipped: $libs"; exit 77; }
cd "$tmp" || exit 1
list=glibc$(printf ',%s' $mods)

expect 0 'results:' run -a "$list" -w larson -r 3 --no-plot -o small
"$as" capture -o big.ast -- sqlite3 :memory: "create table t(a,b); with recursive
  c(x) as (select 1 union all select x+1 from c where x<50000) insert into t select
  x, printf('%.*c', x%300, 'y') from c; select count(*) from t group by a%7;" >/dev/null 2>&1 ||
  bad "capture of sqlite3 failed"
expect 0 'results:' replay big.ast -a "$list" -r 3 --no-plot -o big

# start FOLDER MODULE: its least module_start_rss_kib less glibc's least
start() {
  python3 - "$1/trials.csv" "$2" <<'EOF'
import csv, sys
least = {}
for r in csv.DictReader(open(sys.argv[1])):
    if r["status"] == "ok" and r.get("module_start_rss_kib", "") != "":
        v = float(r["module_start_rss_kib"])
        least[r["module"]] = min(v, least.get(r["module"], v))
m = sys.argv[2]
print("%d" % (least[m] - least["glibc"]) if m in least and "glibc" in least else "none")
EOF
}
# peak LIB: sqlite3 'select 1' with LIB preloaded ("": glibc), median of 3, KiB
peak() {
  for i in 1 2 3; do
    LD_PRELOAD=$1 /usr/bin/time -f %M sqlite3 :memory: 'select 1' 2>&1 >/dev/null
  done | sort -n | sed -n 2p
}

g=$(start small glibc)
[ "$g" = 0 ] && ok || bad "glibc's start-up against itself: $g (want 0; the column read?)"
base=$(peak "")
while read -r m l; do
  s=$(start small "$m") b=$(start big "$m") p=$(($(peak "$l") - base))
  echo "$m: start-up $s KiB on larson, $b on the sqlite3 trace; sqlite3 preloaded: $p"
  # the same allocator starts the same, whatever the op stream beside it
  awk -v s="$s" -v b="$b" 'BEGIN { exit !(s != "none" && b != "none" && s - b <= 256 && b - s <= 256) }' &&
    ok || bad "$m: start-up $s KiB on larson, $b on the trace: more than 256 KiB apart"
  # and what a program pays for it, within 0.5 MiB
  awk -v s="$s" -v p="$p" 'BEGIN { exit !(s != "none" && s - p <= 512 && p - s <= 512) }' &&
    ok || bad "$m: start-up $s KiB, sqlite3 pays $p KiB for $l: more than 512 KiB apart"
done <<<"$libs"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
