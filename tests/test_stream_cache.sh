#!/usr/bin/env bash
# test_stream_cache.sh - a generator's op stream is built once per run and
# (workload, seed, threads), not once per trial (trial.c): the first worker
# builds it and writes its record into a memfd the run gave it, every later
# worker of the same stream reads that record (fd 6) into its own arrays
# instead of building. Checked under strace on a 10-trial run: one worker writes a
# record, nine read it (on the build before: none, every worker built its
# own). And the trials' figures are the same as with every worker building
# (ALLOCSCOPE_NO_STREAM_CACHE=1): ops and live bytes of every row, and, one
# thread, RSS growth, faults and system calls exactly.
# Skipped (77) in the sanitizer build (LeakSanitizer does not run under
# strace; ASan's shadow memory moves RSS).
# Usage: test_stream_cache.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
export CI=1
if [ -n "${ALLOCSCOPE_SANITIZED:-}" ]; then
  echo "skipped: sanitizer build"
  echo "0 passed, 0 failed"
  exit 77
fi

if command -v strace > /dev/null && strace -f -o /dev/null true 2> /dev/null; then
  strace -f -o "$tmp/st" -e trace=pwrite64,pread64 "$as" run -q --no-plot -a glibc,null \
    -w random:ops=1000,live=100 -r 5 --min-time 0 --syscalls off -o "$tmp/s" > /dev/null 2>&1
  writers=$(grep -E '^[0-9]+ +pwrite64\(6, ' "$tmp/st" | awk '{print $1}' | sort -u | wc -l)
  # the record's header, which starts with its magic "ALSSOPS" and a version digit (fd 6 is
  # also a worker's /proc/self/statm and a fork server's pagemap), read by
  # a worker, not by the run checking the record (its fds may be 6 too)
  run=$(awk '{ print $1; exit }' "$tmp/st")
  readers=$(grep -E '^[0-9]+ +pread64\(6, "ALSSOPS[0-9]' "$tmp/st" | awk -v r="$run" '$1 != r { print $1 }' |
    sort -u | wc -l)
  [ "$writers" -eq 1 ] && ok || bad "workers that wrote the stream's record: $writers (want 1)"
  [ "$readers" -eq 9 ] && ok || bad "workers that read the record: $readers (want 9)"
else
  echo "no strace (or ptrace not allowed): the record's writers and readers are not counted"
fi

# the same figures with and without the records
args=(run -q --no-plot -a null,glibc,refmalloc -t 1,2 -r 2 --min-time 0
  -w "random:ops=20000,live=500,synth:dist=fixed,size=64,order=never,ops=100000,touch=all,larson:ops=5000")
"$as" "${args[@]}" -o "$tmp/on" > /dev/null 2>&1 && ok || bad "run with the records failed"
ALLOCSCOPE_NO_STREAM_CACHE=1 "$as" "${args[@]}" -o "$tmp/off" > /dev/null 2>&1 && ok ||
  bad "run without the records failed"
"$as" run -q --no-plot -a null,glibc,refmalloc -w threshold:size=4k,total=4m -r 2 --min-time 0 \
  -o "$tmp/on1" > /dev/null 2>&1 && ok || bad "threshold run with the records failed"
ALLOCSCOPE_NO_STREAM_CACHE=1 "$as" run -q --no-plot -a null,glibc,refmalloc \
  -w threshold:size=4k,total=4m -r 2 --min-time 0 -o "$tmp/off1" > /dev/null 2>&1 && ok ||
  bad "threshold run without the records failed"
python3 - "$tmp" <<'PY' && ok || bad "figures differ with the records (above)"
import csv, sys
t = sys.argv[1]
def rows(d):
    return {(r["module"], r["workload"], r["workload_params"], r["threads"], r["rep"]): r
            for r in csv.DictReader(open(f"{t}/{d}/trials.csv"))}
always = ["status", "ops", "passes"]
one = ["live_bytes_peak", "minflt", "majflt", "syscalls_total", "brk_calls", "mmap_calls",
       "munmap_calls", "madvise_calls"]
growth = ["rss_peak_kib", "rss_end_kib", "rss_after_free_kib"]
def fig(r):
    f = [r[c] for c in always]
    if r["threads"] == "1":  # two threads' interleaving moves these from run to run
        b = float(r["rss_before_kib"])
        f += [r[c] for c in one] + [float(r[c]) - b for c in growth]
    return f
bad = n = 0
for on, off in (("on", "off"), ("on1", "off1")):
    a, b = rows(on), rows(off)
    if set(a) != set(b) or not a:
        print("rows differ:", sorted(set(a) ^ set(b)))
        bad += 1
    for k in a:
        n += 1
        if k in b and fig(a[k]) != fig(b[k]):
            print(k, fig(a[k]), fig(b[k]))
            bad += 1
print(n, "rows compared")
sys.exit(1 if bad or n < 30 else 0)
PY

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
