#!/usr/bin/env bash
# exec_peakrss.sh - peak RSS of real programs under `allocscope exec` on each
# module against glibc under exec (docs/exec.md, "Memory of the simple
# modules"): git log -p over this repository, sqlite3 building an indexed
# table, perl filling a hash. Peak RSS is wait4's ru_maxrss (the program's
# largest process); each run once per module, three rounds, the median kept
# (memory, unlike time, barely moves with the machine's load).
# Usage: bench/exec_peakrss.sh [BUILD_DIR] [MODULE...]
#        (defaults: build, glibc bump arena freelist pool refmalloc)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift $(($# < 1 ? $# : 1))
mods=("${@:-glibc}")
[ $# -gt 0 ] || mods=(glibc bump arena freelist pool refmalloc)
cli=$(realpath "$build/harness/allocscope")
python3 - "$cli" "$PWD" "${mods[@]}" <<'PY'
import os, statistics, subprocess, sys
cli, repo, mods = sys.argv[1], sys.argv[2], sys.argv[3:]
progs = {
    "git log -p": ["git", "-C", repo, "log", "-p", "-300"],
    "sqlite3": ["sqlite3", ":memory:", "create table t(a,b); with recursive c(x) as (select 1 "
                "union all select x+1 from c where x<200000) insert into t select x, "
                "printf('%08d', x*7) from c; create index ti on t(b); select count(*) from t;"],
    "perl": ["perl", "-e", 'my %h; $h{$_} = "x" x ($_ % 100) for 1..200000; print scalar(%h)'],
}
def peak(m, cmd):
    p = subprocess.Popen([cli, "exec", "-a", m, "--"] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, st, ru = os.wait4(p.pid, 0)
    return ru.ru_maxrss if os.waitstatus_to_exitcode(st) == 0 else None
print("%-12s" % "program" + "".join("%18s" % m for m in mods))
for name, cmd in progs.items():
    kib = {m: [] for m in mods}
    for _ in range(3):
        for m in mods:
            kib[m].append(peak(m, cmd))
    med = {m: (statistics.median(v) if None not in v else None) for m, v in kib.items()}
    g = med.get("glibc")
    cells = []
    for m in mods:
        v = med[m]
        cells.append("%18s" % ("failed" if v is None else "%.1f MiB %s" % (
            v / 1024, "(%.1fx)" % (v / g) if g and m != "glibc" else "")))
    print("%-12s" % name + "".join(cells))
PY
