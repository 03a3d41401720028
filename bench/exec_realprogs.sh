#!/usr/bin/env bash
# exec_realprogs.sh - real programs on refmalloc against glibc through
# `allocscope exec` (docs/modules.md, "refmalloc on real programs"): a
# hash-heavy perl script, sqlite3 building an indexed table, and python3
# building and dropping dicts. Each pair runs glibc then refmalloc back to
# back (interleaved, so load on the machine hits both alike); the table gives
# the median wall time, min-max, and the median of the per-pair ratios.
# Usage: bench/exec_realprogs.sh [BUILD_DIR] [PAIRS] [MODULE...]
#        (defaults: build, 9, refmalloc). About 2 minutes with 9 pairs.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
pairs=${2:-9}
shift $(($# < 2 ? $# : 2))
mods=("${@:-refmalloc}")
cli="$build/harness/allocscope"
tmp=$(mktemp -d /tmp/exec_realprogs-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/hash.pl" <<'PL'
my %h; for my $i (1..400000) { $h{"key$i"} = "v" x ($i % 200); }
my $t = 0; for my $k (keys %h) { $t += length($h{$k}); delete $h{$k} if $t % 3 == 0; }
my %g; $g{$_} = [1..($_ % 50)] for 1..100000;
print "$t\n";
PL
cat >"$tmp/sql" <<'SQL'
create table t(a, b, c);
with recursive n(x) as (select 1 union all select x + 1 from n where x < 300000)
insert into t select x, printf('%08d-%s', x * 7, hex(randomblob(x % 40))), x % 97 from n;
create index tb on t(b); create index tc on t(c, a);
select count(*), sum(length(b)) from t where c < 50;
delete from t where a % 3 = 0; vacuum;
SQL
cat >"$tmp/dicts.py" <<'PY'
import json
d = {}
for i in range(100000):
    d["k%d" % i] = {"v": str(i) * (i % 30), "l": list(range(i % 20))}
s = json.dumps(d)
print(len(s), len(json.loads(s)))
PY
progs=(perl sqlite3 python3)
run_prog() { # module prog
  case $2 in
    perl) "$cli" exec -a "$1" -- perl "$tmp/hash.pl" ;;
    sqlite3) "$cli" exec -a "$1" -- sqlite3 "$tmp/db$1.sqlite" <"$tmp/sql"; rm -f "$tmp/db$1.sqlite" ;;
    python3) PYTHONMALLOC=malloc "$cli" exec -a "$1" -- /usr/bin/python3 "$tmp/dicts.py" ;;
  esac >/dev/null
}
secs() { # module prog -> wall seconds
  local t0 t1
  t0=$EPOCHREALTIME
  run_prog "$1" "$2"
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
echo "allocscope exec: glibc vs ${mods[*]}, $pairs interleaved pairs per program"
echo "(2-core machine shared with other work: figures are noisy; the ratio is per pair)"
for p in "${progs[@]}"; do
  for m in "${mods[@]}"; do
    for ((i = 0; i < pairs; i++)); do
      g=$(secs glibc "$p")
      r=$(secs "$m" "$p")
      echo "$p $m $g $r"
    done
  done
done >"$tmp/times"
python3 - "$tmp/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print("%-8s %-10s %10s %15s %10s %15s %12s %15s" % ("program", "module", "glibc s", "min-max",
      "module s", "min-max", "ratio med", "ratio min-max"))
keys = []
for r in rows:
    if (r[0], r[1]) not in keys:
        keys.append((r[0], r[1]))
for p, m in keys:
    g = [float(r[2]) for r in rows if (r[0], r[1]) == (p, m)]
    t = [float(r[3]) for r in rows if (r[0], r[1]) == (p, m)]
    q = [b / a for a, b in zip(g, t)]
    print("%-8s %-10s %10.2f %7.2f-%-7.2f %10.2f %7.2f-%-7.2f %11.2fx %7.2f-%-7.2f" % (
        p, m, statistics.median(g), min(g), max(g), statistics.median(t), min(t), max(t),
        statistics.median(q), min(q), max(q)))
PY
