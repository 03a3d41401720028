#!/usr/bin/env bash
# test_rss_repeat.sh - repetitions of a memory row agree to the KiB: the
# harness's own first reads (its parsers' libc code, faulted in 64 KiB at a
# time by the kernel's fault-around) happen before the baseline, so they
# are in no trial; where ASLR put libc decided whether they added 0, 64 or
# 128 KiB of RSS and 0-2 page faults to a repetition (docs/measure.md,
# "Session 6"). null does nothing in its timed region: 0 KiB and 0 faults
# in every repetition; glibc and refmalloc on 4 MiB of 4 KiB blocks: the
# same RSS growth and fault count in every repetition; and the same with the
# worker forked from the fork server as exec'd (below); and rows of mmap-sized
# blocks freed before the end peak exactly (below); and a module that grows
# nothing has no peak growth when the kernel's RSS counter is off at the
# peak's reset, nor one whose unmaps raise VmHWM more than its samples
# (below).
# Skipped (77) in the sanitizer build (its shadow memory grows with the
# harness's own writes).
# usage: test_rss_repeat.sh ALLOCSCOPE HWM_DRIFT_MODULE [FLAT_MODULE]
set -u
as=$1 drift=${2:-} flat=${3:-}
. "$(dirname "$0")/cli_expect.sh"
if [ -n "${ALLOCSCOPE_SANITIZED:-}" ]; then
  echo "skipped: sanitizer build (shadow memory of the harness's writes)"
  echo "0 passed, 0 failed"
  exit 77
fi
reps=12
if ! "$as" run -q --no-plot -a null,glibc,refmalloc -w threshold:size=4k,total=4m -r $reps \
  -o "$tmp/out" > "$tmp/log" 2>&1; then
  bad "run failed: $(tail -3 "$tmp/log")"
fi
# per module: the distinct (RSS growth at the peak, at the end, minflt)
# triples over its ok repetitions, and how many repetitions
python3 - "$tmp/out/trials.csv" > "$tmp/sets" <<'PY'
import csv, sys
from collections import defaultdict
g = defaultdict(list)
for r in csv.DictReader(open(sys.argv[1])):
    if r["status"] == "ok":
        b = int(r["rss_before_kib"])
        g[r["module"]].append((int(r["rss_peak_kib"]) - b, int(r["rss_end_kib"]) - b, int(r["minflt"])))
for m, v in g.items():
    print(m, len(v), len(set(v)), " ".join("%d/%d/%d" % t for t in sorted(set(v))))
PY
while read -r mod n distinct vals; do
  [ "$n" = $reps ] || { bad "$mod: $n ok repetitions of $reps"; continue; }
  if [ "$mod" = null ]; then
    [ "$vals" = 0/0/0 ] && ok || bad "null: RSS growth peak/end KiB and faults $vals (want 0/0/0 in every repetition)"
  else
    [ "$distinct" = 1 ] && ok ||
      bad "$mod: $distinct different RSS growths (peak/end KiB/faults) over $reps repetitions: $vals"
  fi
done < "$tmp/sets"
[ "$(wc -l < "$tmp/sets")" = 3 ] && ok || bad "modules in trials.csv: $(cut -d' ' -f1 "$tmp/sets" | tr '\n' ' ')"

# A worker forked from the fork server (forkserver.h) starts with the file
# pages an exec'd one's start had mapped: a fork copies no page table entry
# of a file mapping never written, and mimalloc's first libc call of the
# trial then faulted in 64 KiB of libc (fault-around) in most repetitions.
# The same row forked and exec'd (ALLOCSCOPE_NO_FORKSERVER=1): one RSS
# growth and fault count over both.
if "$as" list 2> /dev/null | grep -q '^  mimalloc '; then
  wl=synth:dist=fixed,size=256k,order=never,ops=32,touch=none
  "$as" run -q --no-plot -a mimalloc -w $wl -r 6 --syscalls off -o "$tmp/fs" > /dev/null 2>&1 &&
    ALLOCSCOPE_NO_FORKSERVER=1 "$as" run -q --no-plot -a mimalloc -w $wl -r 6 --syscalls off \
      -o "$tmp/ex" > /dev/null 2>&1 || bad "mimalloc runs failed"
  v=$(python3 - "$tmp/fs/trials.csv" "$tmp/ex/trials.csv" <<'PY'
import csv, sys
for f, name in zip(sys.argv[1:], ("forked", "exec'd")):
    for r in csv.DictReader(open(f)):
        if r["status"] == "ok":
            b = int(r["rss_before_kib"])
            print(name, "%d/%d/%s" % (int(r["rss_peak_kib"]) - b, int(r["rss_end_kib"]) - b, r["minflt"]))
PY
)
  n=$(echo "$v" | grep -c .) distinct=$(echo "$v" | cut -d' ' -f2 | sort -u | wc -l)
  [ "$n" = 12 ] && [ "$distinct" = 1 ] && ok ||
    bad "mimalloc $wl forked / exec'd: $n rows, peak/end KiB/faults $(echo "$v" | tr '\n' ' ')"
else
  echo "mimalloc not built: the forked/exec'd comparison is skipped"
fi

# Blocks of the mmap size freed before the end: with the two sample points
# of a 32-op stream the peak came from VmHWM alone, which the kernel updates
# lazily (4-250 KiB below the real peak, by a varying amount). The sample at
# the stream's live-byte peak (opstream.h peak_at) makes every repetition's
# peak what sampling after every op gives.
wl=threshold:size=256k,total=4m
"$as" run -q --no-plot -a glibc,refmalloc,pool -w $wl -r 8 -o "$tmp/pk" > /dev/null 2>&1 &&
  "$as" run -q --no-plot -a glibc,refmalloc,pool -w $wl -r 2 --sample-every 1 \
    -o "$tmp/pk1" > /dev/null 2>&1 || bad "$wl runs failed"
v=$(python3 - "$tmp/pk/trials.csv" "$tmp/pk1/trials.csv" <<'PY'
import csv, sys
from collections import defaultdict
def peaks(f):
    g = defaultdict(list)
    for r in csv.DictReader(open(f)):
        if r["status"] == "ok":
            g[r["module"]].append(int(r["rss_peak_kib"]) - int(r["rss_before_kib"]))
    return g
d, ref = peaks(sys.argv[1]), peaks(sys.argv[2])
for m in ("glibc", "refmalloc", "pool"):
    want = set(ref.get(m, []))
    good = len(d.get(m, [])) == 8 and len(want) == 1 and set(d[m]) == want
    print("ok" if good else "bad", m, "peak growth KiB", d.get(m), "with --sample-every 1", ref.get(m))
PY
)
while read -r verdict rest; do
  [ "$verdict" = ok ] && ok || bad "$wl: $rest"
done <<< "$v"

# A trace's reader counts its live bytes itself (opstream.h own_live_bytes):
# its replay samples at the peak too. 1500 allocs of 1 KiB, then the frees:
# a point at op 1500, between the auto points at 1024 and 2048.
{
  echo "op,thread,id,size_bytes,align_bytes,time_ns"
  for i in $(seq 0 1499); do echo "malloc,0,$i,1024,0,$i"; done
  for i in $(seq 0 1499); do echo "free,0,$i,0,0,$((1500 + i))"; done
} > "$tmp/tr.csv"
if "$as" run -q --no-plot -a glibc -w "trace:$tmp/tr.csv" -r 1 --min-time 0 -o "$tmp/tr" \
  > /dev/null 2>&1; then
  pts=$(python3 -c "import csv, sys; print(' '.join(r['ops_done'] for r in csv.DictReader(open(sys.argv[1]))))" \
    "$tmp/tr/series.csv")
  [ "$pts" = "0 1024 1500 2048 3000" ] && ok || bad "trace replay: series points at ops $pts (want 0 1024 1500 2048 3000)"
else
  bad "trace replay failed"
fi
# The peak's reset at the baseline (/proc/self/clear_refs "5") sets VmHWM
# from the global part of the per-CPU RSS counter, without the pages some
# CPU has not folded in yet: VmHWM can start above the RSS by up to a
# batch (32 pages) per CPU, and a worker that took it as a peak reported
# that growth for null (test_jobs saw 8 KiB of peak growth in one null row
# at load 20+; 8-76 KiB in 5 of 24 runs of a probe here). The worker now
# takes VmHWM only when it rose above its value right after the reset.
# tests/mods/hwm_drift.c leaves its worker's counter off before the trial
# and grows nothing in it: its peak growth is 0 in all 6 repetitions (on
# the build before, 40-44 KiB in about half of them: 3 runs of 3 failed).
# Needs two CPUs (the module leaves the count pending on one).
if [ -n "$drift" ] && [ "$(nproc)" -ge 2 ]; then
  if "$as" run -q --no-plot --no-quick-check -a "$drift" -w threshold:size=4k,total=4m -r 6 -o "$tmp/hd" \
    > "$tmp/log" 2>&1; then
    v=$(python3 -c "
import csv, sys
print(' '.join('%d/%d' % (int(r['rss_peak_kib']) - int(r['rss_before_kib']), int(r['rss_end_kib']) - int(r['rss_before_kib']))
               for r in csv.DictReader(open(sys.argv[1])) if r['status'] == 'ok'))" "$tmp/hd/trials.csv")
    [ "$v" = "0/0 0/0 0/0 0/0 0/0 0/0" ] && ok ||
      bad "hwm_drift: RSS growth peak/end KiB $v (want 0/0 in 6 repetitions: VmHWM's reset is no peak)"
  else
    bad "hwm_drift run failed: $(tail -3 "$tmp/log")"
  fi
  # The same drift under a trial whose RSS grows and whose unmaps raise
  # VmHWM: raised from the global count, it was the drift above the real
  # peak (4116-4152 KiB of growth against the samples' 4096 in 4 of 6
  # repetitions on the build before). The worker folds every CPU's pending
  # count in before the baseline (procstat.h as_rss_fold): each peak is
  # the samples' (the one at the live-byte peak; 4096 KiB).
  if "$as" run -q --no-plot --no-quick-check -a "$drift:mmap=64k" -w threshold:size=256k,total=4m \
    -r 6 -o "$tmp/hdm" > "$tmp/log" 2>&1; then
    v=$(python3 - "$tmp/hdm" <<'PY'
import csv, sys
d = sys.argv[1]
top = {}
for r in csv.DictReader(open(d + "/series.csv")):
    top[r["rep"]] = max(top.get(r["rep"], 0), int(r["rss_kib"]))
print(" ".join("%d/%d" % (int(r["rss_peak_kib"]) - int(r["rss_before_kib"]), top[r["rep"]] - int(r["rss_before_kib"]))
               for r in csv.DictReader(open(d + "/trials.csv")) if r["status"] == "ok"))
PY
)
    [ "$(tr ' ' '\n' <<< "$v" | awk -F/ '$1 == $2 && $1 >= 4096' | wc -l)" = 6 ] && ok ||
      bad "hwm_drift:mmap=64k: peak/sampled growth KiB $v (want the samples' peak in 6 repetitions)"
  else
    bad "hwm_drift:mmap=64k run failed: $(tail -3 "$tmp/log")"
  fi
else
  echo "one CPU (or no hwm_drift module): the VmHWM reset case is skipped"
fi
# The harness's own code and data are faulted in before the baseline,
# whatever the build's layout and the threads: tests/mods/flat.c writes
# nothing, so 0 faults and 0 KiB in every repetition at 1 and 2 threads
# (on the build before: 1-3 faults and 64-192 KiB in each 2-thread trial,
# libc's and the executable's code; and adding a scenario's read-only
# claims moved a page of .rodata into null's timed region, 4 KiB and a
# fault in some repetitions)
# One run again when a trial took a fault: the kernel may move a page the
# harness faulted in (compaction, under a loaded machine's builds), and a
# fresh CI saw one fault in the first of 12 trials once (session 35), which
# 18 runs of the same command (216 trials, 6 of them beside two busy
# loops) then did not show; a fault of the harness's own comes back in the
# second run.
flat_run() {
  rm -rf "$tmp/flat"
  "$as" run -q --no-plot --no-quick-check -a "$flat" -w random:touch=none,ops=300000 -t 1,2 \
    -r 6 -o "$tmp/flat" > "$tmp/log" 2>&1 || return 1
  v=$(python3 -c "
import csv, sys
print(' '.join('t%s:%s/%d' % (r['threads'], r['minflt'], int(r['rss_peak_kib']) - int(r['rss_before_kib']))
               for r in csv.DictReader(open(sys.argv[1])) if r['status'] == 'ok'))" "$tmp/flat/trials.csv")
}
if [ -n "$flat" ]; then
  if flat_run; then
    if [ "$(tr ' ' '\n' <<<"$v" | grep -c ':0/0$')" -ne 12 ]; then
      echo "flat: faults/peak growth KiB $v: once more"
      flat_run || v="the second run failed: $(tail -3 "$tmp/log")"
    fi
    [ "$(tr ' ' '\n' <<<"$v" | grep -c ':0/0$')" -eq 12 ] && ok ||
      bad "flat: faults/peak growth KiB $v (want 0/0 in 12 trials, in the second run too)"
  else
    bad "flat run failed: $(tail -3 "$tmp/log")"
  fi
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
