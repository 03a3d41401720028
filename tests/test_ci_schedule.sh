#!/usr/bin/env bash
# test_ci_schedule.sh - how CI's ctest runs (scripts/quickstart test):
# - each of its ctest calls runs one test per CPU (-j"$(nproc)"), the fuzz
#   targets among the others, not one test at a time (10 min 33 s of CI at
#   idle on 5443baf, 8 of them in ctest, most of it waiting on timeouts,
#   exits and one CPU);
# - a test whose assertions read a time (label timing: the disturbance
#   tests, the timing known answers, bench_overhead's p50s) runs alone
#   (RUN_SERIAL): test_disturb_mem failed in CI beside another test;
# - the long tests carry a COST, so that a fresh clone, which has no cost
#   data yet, starts them first; a fuzz target's COST is its time box;
# - the tests' python3 is /usr/bin/python3 even when a version manager's
#   shim comes first in PATH (pyenv's took 5-7 s a call at load 10).
# Usage: test_ci_schedule.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# every ctest call in quickstart's test mode runs in parallel
calls=$(sed -n '/^test)/,/^  ;;/p' "$src/scripts/quickstart" | grep -v '^ *#' | grep -E '(^|[ (])ctest ')
n=$(grep -c . <<<"$calls")
[ "$n" -ge 2 ] && ok "quickstart test runs ctest $n times" || bad "quickstart test: $n ctest calls, want 2 (both builds)"
serial=$(grep -v -- '-j"$(nproc)"' <<<"$calls")
[ -z "$serial" ] && ok "every ctest call has -j\"\$(nproc)\"" || bad "ctest calls without -j\"\$(nproc)\": $serial"
# the fuzz targets are no separate stage: no call selects or drops a label
labels=$(grep -E -- ' -L | -LE ' <<<"$calls")
[ -z "$labels" ] && ok "no ctest call selects labels" || bad "ctest calls with -L/-LE: $labels"

# use_debian_python BUILD puts a link to /usr/bin/python3 first in PATH
# when another python3 comes first: here a fake shim that fails
if [ -x /usr/bin/python3 ]; then
  tmp=$(mktemp -d /tmp/as_test_ci_schedule.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  mkdir "$tmp/shims" && printf '#!/bin/sh\nexit 3\n' > "$tmp/shims/python3" && chmod +x "$tmp/shims/python3"
  fn=$(sed -n '/^use_debian_python() {/,/^}/p' "$src/scripts/quickstart")
  got=$(cd "$tmp" && PATH="$tmp/shims:$PATH" bash -c "$fn"'
    use_debian_python build 2>/dev/null && python3 -c "import sys; print(sys.executable)"')
  [ "$got" = "$tmp/build/debian-python/python3" ] && ok "quickstart's tests run /usr/bin/python3 before a shim" ||
    bad "with a python3 shim first in PATH, quickstart's tests run '${got}', want $tmp/build/debian-python/python3"
  [ "$(readlink "$tmp/build/debian-python/python3" 2>/dev/null)" = /usr/bin/python3 ] && ok "the link is to /usr/bin/python3" ||
    bad "BUILD/debian-python/python3 is no link to /usr/bin/python3"
  got=$(cd "$tmp" && PATH="/usr/bin:$PATH" bash -c "$fn"'
    use_debian_python build2 2>/dev/null && command -v python3')
  [ "$got" = /usr/bin/python3 ] && [ ! -e "$tmp/build2" ] && ok "no link when /usr/bin/python3 comes first" ||
    bad "with /usr/bin/python3 first: python3 is '$got', build2 made: $([ -e "$tmp/build2" ] && echo yes || echo no)"
else
  echo "no /usr/bin/python3: quickstart's python3 link is not checked"
fi

cd "$build" || exit 1
out=$(ctest --show-only=json-v1 | python3 -c '
import json, sys
tests = json.load(sys.stdin)["tests"]
props = {t["name"]: {p["name"]: p["value"] for p in t.get("properties", [])} for t in tests}
passed = failed = 0
def check(cond, what):
    global passed, failed
    if cond:
        passed += 1; print("ok: " + what)
    else:
        failed += 1; print("FAIL: " + what)
timing = sorted(n for n, p in props.items() if "timing" in p.get("LABELS", []))
for n in ["test_disturb", "test_disturb_mem", "test_timing_kat"]:
    check(n in timing, "%s is labelled timing" % n)
# (a test this configuration does not build is a skip stub: it reads no time)
stub = {t["name"] for t in tests if "exit 77" in " ".join(t.get("command", []))}
for n in timing:
    check(n in stub or props[n].get("RUN_SERIAL") is True, "%s (timing) runs alone: RUN_SERIAL" % n)
costly = {n: float(p["COST"]) for n, p in props.items() if "COST" in p}
for n in ["test_faults", "test_exec_cpython", "test_e2e", "test_capture", "test_plot"]:
    check(costly.get(n, 0) >= 10, "%s has a COST of 10 s or more: %s" % (n, costly.get(n)))
for t in tests:
    if "fuzz" in props[t["name"]].get("LABELS", []):
        box = [a.split("=")[1] for a in t["command"] if a.startswith("-max_total_time=")]
        check(box and costly.get(t["name"]) == float(box[0]),
              "%s: COST %s is its time box %s" % (t["name"], costly.get(t["name"]), box))
print("counts %d %d" % (passed, failed))')
grep -v '^counts ' <<<"$out"
read -r _ p f <<<"$(grep '^counts ' <<<"$out")"
[ -n "${f:-}" ] || { bad "the ctest --show-only check did not run"; f=0 p=0; }
pass=$((pass + p)) fail=$((fail + f))
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
