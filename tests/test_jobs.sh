#!/usr/bin/env bash
# test_jobs.sh - --jobs N runs N trials at once (jobs.h), for memory
# figures only. Checked: two workers are alive at once (strace's exec and
# exit times of the workers; with --jobs 1 never two); the memory columns of
# every row are the same as one at a time (RSS growth at peak, end, after
# free and trim, heap/mmap split, faults, every system call count, live
# bytes, ops, passes, overhead ratio), in the same row order; the timing
# figures are not written and the context says why; summary reps_ok counts
# the untimed ok repetitions; -r auto is refused; a
# crash and a hang among parallel trials are rows like any other; an
# interrupted parallel run keeps complete rows in order and --resume
# finishes it; the suite runs its memory scenarios 2 at a time and its
# timing scenarios one at a time. On the build before there was no --jobs.
# The strace and exactness parts are skipped in the sanitizer build (no
# strace under LeakSanitizer; ASan's allocator stands in for glibc's).
# Usage: test_jobs.sh ALLOCSCOPE MODS_DIR
set -u
as=$1 mods=$2
. "$(dirname "$0")/cli_expect.sh"
export CI=1
q=(-q --no-plot --min-time 0)
mods4=null,glibc,bump,refmalloc
wl="threshold:size=4k,total=4m,leak:total=8m,leak:total=8m,trim=1"
wl="$wl,synth:dist=fixed,size=64,order=never,ops=100000,touch=all"

# -r auto judges ns/op, which a parallel trial has not
expect 2 "give -r N" run "${q[@]}" -a null -w random:ops=1000 --jobs 2 -o "$tmp/auto"
expect 2 "jobs" run "${q[@]}" -a null -w random:ops=1000 -r 1 --jobs 9 -o "$tmp/nine"

# the same memory figures, row by row, one and two at a time
"$as" run "${q[@]}" -a $mods4 -w "$wl" -r 2 --jobs 1 -o "$tmp/j1" > /dev/null 2>&1 && ok ||
  bad "run --jobs 1 failed"
"$as" run "${q[@]}" -a $mods4 -w "$wl" -r 2 --jobs 2 -o "$tmp/j2" > /dev/null 2>&1 && ok ||
  bad "run --jobs 2 failed"
grep -q '^jobs,2$' "$tmp/j2/context.csv" && ok || bad "context.csv: no jobs,2"
grep -q '^timing_figures,"not written' "$tmp/j2/context.csv" && ok ||
  bad "context.csv: no timing_figures note"
grep -q '^jobs,1$' "$tmp/j1/context.csv" && ok || bad "context.csv of --jobs 1: no jobs,1"
# the console and comparisons.csv of a parallel run: "-" where there is no
# timing, no comparison rows of "no ok repetition" (until session 19: nan
# columns and a "no ok repetition on one side" line per module)
"$as" run --no-plot --min-time 0 -a null,glibc -w threshold:size=4k,total=4m -r 2 --jobs 2 \
  -o "$tmp/jc" >"$tmp/jc.out" 2>&1 && ok || bad "run --jobs 2 (console) failed"
grep -Eq '^glibc +threshold +1 ok +2 +- +- +- ' "$tmp/jc.out" && ! grep -q nan "$tmp/jc.out" &&
  grep -q "no comparisons: trials ran 2 at a time (--jobs)" "$tmp/jc.out" &&
  [ "$(wc -l <"$tmp/jc/comparisons.csv")" -eq 1 ] && ok ||
  { bad "--jobs 2 console:"; sed 's/^/  | /' "$tmp/jc.out" >&2; }
# reps_ok counts the ok repetitions, timed or not: trials.csv's 2 ok rows
# of each module (until now 0 in summary.csv and summary.json for every
# --jobs group: it counted the repetitions with an ns/op)
python3 - "$tmp/jc" <<'PY' && ok || bad "--jobs 2 reps_ok (above)"
import csv, json, sys
d = sys.argv[1]
okrows = {}
for r in csv.DictReader(open(f"{d}/trials.csv")):
    okrows[r["module"]] = okrows.get(r["module"], 0) + (r["status"] == "ok")
s = {r["module"]: int(r["reps_ok"]) for r in csv.DictReader(open(f"{d}/summary.csv"))}
j = {g["module"]: g["reps_ok"] for g in json.load(open(f"{d}/summary.json"))["groups"]}
print("trials.csv ok rows", okrows, "summary.csv reps_ok", s, "summary.json", j)
sys.exit(0 if okrows == s == j and set(okrows.values()) == {2} else 1)
PY
grep -q '^timing_figures' "$tmp/j1/context.csv" && bad "--jobs 1 says its timing is not written" || ok
python3 - "$tmp" "${ALLOCSCOPE_SANITIZED:-}" <<'PY' && ok || bad "rows differ (above)"
import csv, sys
t, sanitized = sys.argv[1], sys.argv[2]
growth = ["rss_peak_kib", "rss_end_kib", "rss_after_free_kib", "rss_after_trim_kib"]
same = ["status", "ops", "passes", "live_bytes_peak", "heap_rss_peak_kib", "heap_size_peak_kib", "heap_size_end_kib",
        "mmap_rss_peak_kib", "mmap_size_peak_kib", "heap_rss_after_free_kib",
        "mmap_rss_after_free_kib", "heap_rss_after_trim_kib", "mmap_rss_after_trim_kib",
        "minflt", "majflt", "syscalls_total", "brk_calls", "mmap_calls", "munmap_calls",
        "mremap_calls", "madvise_calls", "madvise_dontneed_calls", "madvise_free_calls",
        "mprotect_calls", "overhead_ratio"]
a = list(csv.DictReader(open(f"{t}/j1/trials.csv")))
b = list(csv.DictReader(open(f"{t}/j2/trials.csv")))
key = lambda r: (r["trial"], r["rep"], r["module"], r["workload_params"], r["threads"])
bad = 0
if len(a) != 32 or [key(r) for r in a] != [key(r) for r in b]:
    print("rows or their order differ:", len(a), len(b)); bad += 1
for x, y in zip(a, b):
    if y["status"] != "ok" or y["ns_per_op"] or y["ops_per_sec"] or not y["elapsed_ns"]:
        print("a --jobs 2 row with a timing figure, or not ok:", key(y), y["status"],
              y["ns_per_op"], y["elapsed_ns"]); bad += 1
    if x["ns_per_op"] == "":
        print("a --jobs 1 row without ns/op:", key(x)); bad += 1
    if sanitized:
        continue
    for c in same:
        if x[c] != y[c]:
            print("differs", key(x), c, x[c], y[c]); bad += 1
    for c in growth:
        g = [("" if r[c] == "" else float(r[c]) - float(r["rss_before_kib"])) for r in (x, y)]
        if g[0] != g[1]:
            print("differs", key(x), c, "growth", *g); bad += 1
print(len(b), "rows,", bad, "problems")
sys.exit(1 if bad else 0)
PY
[ "$(wc -l 2> /dev/null < "$tmp/j2/latency.csv" || echo 1)" -le 1 ] && ok ||
  bad "--jobs 2 wrote latency rows"

# compare says why a --jobs 2 folder has no ns/op to compare
expect 0 "j2 has no timing figures to compare" compare "$tmp/j1" "$tmp/j2"

# two workers alive at once: their execve and exit under strace
if [ -z "${ALLOCSCOPE_SANITIZED:-}" ] && command -v strace > /dev/null &&
  strace -f -o /dev/null true 2> /dev/null; then
  for j in 1 2; do
    # (workers exec'd, ALLOCSCOPE_NO_FORKSERVER=1: a forked one has no execve
    # to time its start by; the rest of this test runs them forked)
    ALLOCSCOPE_NO_FORKSERVER=1 strace -f -ttt -o "$tmp/st$j" -e trace=execve -e signal=none "$as" run "${q[@]}" \
      -a null,glibc -w leak:total=32m -r 3 --jobs $j -o "$tmp/s$j" > /dev/null 2>&1 ||
      bad "run under strace --jobs $j failed"
    most=$(python3 - "$tmp/st$j" <<'PY'
import re, sys
start, end, worker = {}, {}, set()
for line in open(sys.argv[1]):
    m = re.match(r"(\d+) +([\d.]+) (.*)", line)
    if not m:
        continue
    pid, t, rest = m.group(1), float(m.group(2)), m.group(3)
    if rest.startswith("execve(") and '"__worker"' in rest:
        worker.add(pid)  # its end may come as "<... execve resumed>) = 0"
    if pid in worker and "execve" in rest and rest.rstrip().endswith("= 0"):
        start[pid] = t
    elif rest.startswith("+++ exited") or rest.startswith("+++ killed"):
        end[pid] = t
ev = sorted([(start[p], 1) for p in start if p in end] + [(end[p], -1) for p in start if p in end])
n = most = 0
for _, d in ev:
    n += d
    most = max(most, n)
print(most if len(start) == 8 else f"workers {len(start)} (want 8: 2 probes, 6 trials)")
PY
)
    [ "$most" = "$j" ] && ok || bad "--jobs $j: most workers alive at once: $most (want $j)"
  done
else
  echo "sanitizer build or no strace: workers alive at once not counted"
fi

# a crash and a hang among parallel trials: rows like any other, in order
# (--timeout 1: each hang waits it out, asleep; the others take ms)
"$as" run -q --no-plot --min-time 0 -a "null,$mods/broken_crash.so,$mods/broken_hang.so,glibc" \
  -w random:ops=2000,live=100 -r 2 --jobs 2 --timeout 1 -o "$tmp/f" > /dev/null 2>&1
[ $? = 1 ] && ok || bad "a run with a crash and a hang: exit not 1"
python3 - "$tmp/f/trials.csv" <<'PY' && ok || bad "crash/hang rows (above)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
got = [(r["trial"], r["rep"], r["status"]) for r in rows]
want = [(str(t), str(r), s) for r in range(2)
        for t, s in enumerate(["ok", "crashed", "timeout", "ok"])]
print(got if got != want else "ok")
sys.exit(got != want)
PY

# interrupted: complete rows in matrix order, then --resume finishes the matrix
"$as" run "${q[@]}" -a null,glibc -w leak:total=64m -r 5 --jobs 2 -o "$tmp/i" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do
  [ "$(wc -l 2> /dev/null < "$tmp/i/trials.csv" || echo 0)" -ge 4 ] && break
  sleep 0.05
done
kill -INT $pid
wait $pid
[ $? = 130 ] && ok || bad "interrupted --jobs 2 run: exit not 130"
n=$(($(wc -l < "$tmp/i/trials.csv") - 1))
[ "$n" -ge 3 ] && [ "$n" -lt 10 ] && ok || bad "interrupted run kept $n rows (want 3..9)"
"$as" run --resume "$tmp/i" > /dev/null 2>&1 && ok || bad "--resume of a --jobs 2 run failed"
python3 - "$tmp/i/trials.csv" <<'PY' && ok || bad "resumed rows (above)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
got = sorted((int(r["trial"]), int(r["rep"])) for r in rows if r["status"] == "ok")
want = [(t, r) for t in range(2) for r in range(5)]
print("ok" if got == want else got)
sys.exit(got != want)
PY

# the suite: memory scenarios two at a time by default, timing ones one at a time
"$as" suite metadata --quick -a null,glibc -o "$tmp/sm" > /dev/null 2>&1 && ok ||
  bad "suite metadata --quick failed"
grep -q '^jobs,2$' "$tmp/sm/metadata/context.csv" && ok || bad "suite metadata: not jobs,2"
"$as" suite metadata --quick -a null,glibc --jobs 1 -o "$tmp/sm1" > /dev/null 2>&1 && ok ||
  bad "suite metadata --quick --jobs 1 failed"
grep -q '^jobs,1$' "$tmp/sm1/metadata/context.csv" && ok || bad "suite --jobs 1: not jobs,1"
"$as" suite bump --quick -a null,bump -o "$tmp/sb" > /dev/null 2>&1 && ok ||
  bad "suite bump --quick failed"
grep -q '^jobs,1$' "$tmp/sb/bump/context.csv" && ok || bad "suite bump (timing): not jobs,1"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
