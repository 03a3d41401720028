#!/usr/bin/env bash
# exec_cpython.sh - CPython's own regression tests (83 test modules of
# Debian's python3, package libpython3.X-testsuite) under `allocscope exec`
# with PYTHONMALLOC=malloc, each test module in its own process, on every
# module with an individual free and plainly (no exec) as the reference
# (docs/exec.md, "CPython's regression tests"). For each test module the
# runs go back to back (plain, then each module: interleaved, so load on the
# machine hits all alike). Each run's exit status, regrtest verdict, wall
# time and peak RSS (wait4's ru_maxrss: the largest process of the run) go
# to a CSV; the summary gives per module the tests passed, the failures by
# name, total time and the median/max per-test ratios of time and peak RSS
# against plain. tests/test_exec_cpython.sh runs a subset of this in ctest.
# Usage: bench/exec_cpython.sh [BUILD_DIR] [MODULE...]
#        (defaults: build, every built module with `free`)
#        env: JOBS (test modules at once, default 1), OUT (the CSV; default
#        under /tmp), TESTS (a space-separated list instead of the 83)
#        SUMMARY="A.csv B.csv ..." bench/exec_cpython.sh: no run, the summary
#        of earlier runs' CSVs (parts of the list run apart, or a cut run),
#        over the tests every column has
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${SUMMARY:-}" ]; then
  # shellcheck disable=SC2086
  exec python3 - $SUMMARY <<'PY'
import csv, statistics, sys
by, tests, cols = {}, [], ["plain"]
for f in sys.argv[1:]:
    for r in csv.DictReader(open(f)):
        k = (r["test"], r["module"])
        if k in by:
            continue
        by[k] = [r["test"], r["module"], int(r["exit"]), r["result"], r["wall_s"],
                 int(r["peak_rss_kib"])]
        if r["test"] not in tests:
            tests.append(r["test"])
        if r["module"] not in cols:
            cols.append(r["module"])
tests = [t for t in tests if all((t, m) in by for m in cols)]
print("%d test modules with every column, from %s" % (len(tests), " ".join(sys.argv[1:])))
print("%-10s %7s %9s %10s %10s %10s %10s  %s" % ("module", "passed", "total s", "time med",
      "time max", "rss med", "rss max", "worst (time; rss)"))
for m in cols:
    mine = [by[(t, m)] for t in tests]
    passed = sum(r[3] == "pass" for r in mine)
    total = sum(float(r[4]) for r in mine)
    tr = {t: float(by[(t, m)][4]) / max(float(by[(t, "plain")][4]), 1e-3) for t in tests}
    rr = {t: by[(t, m)][5] / max(by[(t, "plain")][5], 1) for t in tests}
    wt = max(tr, key=tr.get)
    wr = max(rr, key=rr.get)
    print("%-10s %4d/%-2d %9.1f %9.2fx %9.2fx %9.2fx %9.2fx  %s %.1fx; %s %.1fx" % (
        m, passed, len(tests), total, statistics.median(tr.values()), tr[wt],
        statistics.median(rr.values()), rr[wr], wt, tr[wt], wr, rr[wr]))
    for r in mine:
        if r[3] != "pass":
            print("           failed: %s (exit %s)" % (r[0], r[2]))
PY
fi
build=${1:-build}
shift $(($# < 1 ? $# : 1))
cli=$(realpath "$build/harness/allocscope")
py=/usr/bin/python3
if [ $# -gt 0 ]; then
  mods=("$@")
else
  mapfile -t mods < <("$cli" list 2>/dev/null | awk '/^  [a-z]/ { m = $1; getline
    sub(/.*capabilities: /, ""); if (("," $0 ",") ~ /,free,/) print m }')
fi
tests=${TESTS:-"test_abc test_argparse test_array test_ast test_augassign test_base64
test_binascii test_binop test_bisect test_bool test_builtin test_bytes test_calendar test_class
test_cmath test_codecs test_collections test_compile test_complex test_contains test_contextlib
test_copy test_csv test_dataclasses test_datetime test_decimal test_deque test_descr test_dict
test_difflib test_dis test_enum test_enumerate test_exceptions test_float test_fnmatch
test_format test_fractions test_fstring test_functools test_gc test_generators test_grammar
test_hashlib test_heapq test_int test_iter test_itertools test_json test_keywordonlyarg
test_list test_long test_math test_memoryview test_operator test_ordered_dict test_pickle
test_pprint test_queue test_random test_re test_scope test_set test_slice test_sort
test_statistics test_string test_struct test_tarfile test_textwrap test_thread test_threading
test_tokenize test_tuple test_typing test_unicode test_userdict test_weakref test_with
test_zlib test_syntax test_string_literals test_types"}
have=$($py -m test --list-tests 2>/dev/null || true)
for t in $tests; do
  if ! grep -qx "$t" <<<"$have"; then
    echo "exec_cpython.sh: $py has no test module $t (install libpython3.X-testsuite)" >&2
    exit 2
  fi
done
out=${OUT:-$(mktemp /tmp/exec_cpython-XXXXXX.csv)}
work=$(mktemp -d /tmp/exec_cpython-XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "allocscope exec: $(wc -w <<<"$tests") CPython test modules, plain and on ${mods[*]}"
echo "(2-core machine shared with other work: times are noisy; ratios are per test, back to back)"
echo "per-run CSV: $out"
PYTHONMALLOC=malloc TMPDIR=$work python3 - "$cli" "$py" "$out" "${JOBS:-1}" "$tests" \
  "${mods[@]}" <<'PY'
import csv, os, signal, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
cli, py, out, jobs, tests, mods = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), \
    sys.argv[5].split(), sys.argv[6:]
cols = ["plain"] + mods

def run(test, m):
    cmd = [py, "-m", "test", test]
    if m != "plain":
        cmd = [cli, "exec", "-a", m, "--"] + cmd
    log = os.path.join(os.environ["TMPDIR"], "%s-%s.log" % (test, m))
    t0 = time.monotonic()
    with open(log, "w") as f:
        # SIGINT back to its default: a shell starting this script in the background
        # (`&`, nohup) leaves it ignored, and test_generators then fails on every column
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=os.environ["TMPDIR"],
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            _, status, ru = os.wait4(p.pid, 0)
            rc = os.waitstatus_to_exitcode(status)
        except BaseException:
            p.kill()
            raise
    secs = time.monotonic() - t0
    text = open(log, errors="replace").read()
    ok = rc == 0 and "\nTests result: SUCCESS" in text
    return [test, m, rc, "pass" if ok else "FAIL", "%.2f" % secs, ru.ru_maxrss]

def one_test(test):
    return [run(test, m) for m in cols]

with ThreadPoolExecutor(jobs) as ex, open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["test", "module", "exit", "result", "wall_s", "peak_rss_kib"])
    for rs in ex.map(one_test, tests):
        for r in rs:
            w.writerow(r)
            if r[3] != "pass":
                print("FAIL: %s on %s (exit %s)" % (r[0], r[1], r[2]), flush=True)
        f.flush()

PY
SUMMARY=$out exec bash bench/exec_cpython.sh
