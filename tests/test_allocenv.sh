#!/usr/bin/env bash
# test_allocenv.sh - the caller's allocator settings do not reach the
# trials. An outside review ran `MALLOC_MMAP_THRESHOLD_=1048576 allocscope
# run -a glibc -w threshold:size=256k` (and the same through
# GLIBC_TUNABLES, and MALLOC_CONF=narenas:1 with jemalloc): every worker
# inherited them, the 256 KiB blocks came from the brk heap (64 brk, no
# mmap) under the plain module's name, empty module_params and nothing in
# context.csv. run, suite, replay, tune and check now start without them:
# one stderr line and context.csv's environment_left_out say what was
# left out, and the rows are glibc's defaults (64 mmap, 63 munmap). A -a
# param still applies. exec keeps the caller's environment (its program's).
# usage: test_allocenv.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
skip_glibc_claims
export CI=1
row() { # DIR: brk mmap munmap of the first trials.csv row
  python3 -c 'import csv, sys
r = next(csv.DictReader(open(sys.argv[1] + "/trials.csv")))
print(r["brk_calls"], r["mmap_calls"], r["munmap_calls"])' "$1"
}
w=threshold:size=256k,total=16m
opts=(-q --no-plot -w $w -r 1 --min-time 0)

expect 0 "results:" run "${opts[@]}" -a glibc -o "$tmp/plain"
[ "$(row "$tmp/plain")" = "0 64 63" ] && ok || bad "glibc's defaults: $(row "$tmp/plain"), want 0 64 63"
grep -q '^environment_left_out,none$' "$tmp/plain/context.csv" && ok || bad "environment_left_out not none"

for v in MALLOC_MMAP_THRESHOLD_=1048576 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=2097152; do
  env "$v" "$as" run "${opts[@]}" -a glibc -o "$tmp/e" >"$tmp/out" 2>&1
  [ "$(row "$tmp/e")" = "0 64 63" ] && ok || bad "$v reached the trial: $(row "$tmp/e")"
  grep -q "^allocscope: left out of the trials' environment .*: ${v/GLIBC_TUNABLES=/GLIBC_TUNABLES items }$" "$tmp/out" &&
    ok || { bad "$v: no stderr line"; cat "$tmp/out" >&2; }
  grep -q "^environment_left_out,${v/GLIBC_TUNABLES=/GLIBC_TUNABLES items }$" "$tmp/e/context.csv" &&
    ok || bad "$v: not in context.csv"
  rm -rf "$tmp/e"
done
# GLIBC_TUNABLES' other items stay; a -a param still applies
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=2097152:glibc.rtld.nns=4 expect 0 "results:" run \
  "${opts[@]}" -a glibc:mmap_threshold=1m -o "$tmp/p"
[ "$(row "$tmp/p")" = "64 0 0" ] && ok || bad "glibc:mmap_threshold=1m: $(row "$tmp/p"), want 64 0 0"

# jemalloc: stats_print would print its options at the worker's exit
MALLOC_CONF=narenas:1,stats_print:true expect 0 "left out of the trials' environment.*MALLOC_CONF=narenas:1,stats_print:true" \
  run -q --no-plot -a jemalloc -w random:ops=2000 -r 1 --min-time 0 -o "$tmp/j"
refuse 0 "opt.narenas|jemalloc statistics" run -q --no-plot -a jemalloc -w random:ops=2000 -r 1 \
  --min-time 0 -o "$tmp/j2"
MALLOC_CONF=stats_print:true refuse 0 "opt.narenas|jemalloc statistics" run -q --no-plot \
  -a jemalloc -w random:ops=2000 -r 1 --min-time 0 -o "$tmp/j3"
# the same in suite, replay and check
MALLOC_MMAP_THRESHOLD_=1048576 expect 0 "left out of the trials' environment" suite threshold \
  --quick --no-plot -a glibc -o "$tmp/s"
grep -q '^environment_left_out,MALLOC_MMAP_THRESHOLD_=1048576$' "$tmp/s/threshold/context.csv" &&
  ok || bad "suite: not in the scenario's context.csv"
MIMALLOC_VERBOSE=1 expect 0 "left out of the trials. environment.*MIMALLOC_VERBOSE=1" check mimalloc
# what an outside review found still reaching the trials: mimalloc's
# variables in lower case (mimalloc reads them whatever the case), a
# second GLIBC_TUNABLES entry (glibc parses every one, getenv sees the
# first), and more than 64 variables without the re-exec
mimalloc_verbose=1 mimalloc_eager_commit=1 expect 0 \
  "left out of the trials. environment.*mimalloc_verbose=1.*mimalloc_eager_commit=1" \
  run -q --no-plot -a mimalloc:eager_commit=0 -w random:ops=2000 -r 1 --min-time 0 -o "$tmp/mi"
grep -q "option 'eager_commit'" "$tmp/out" && bad "mimalloc saw the caller's lower-case variables" || ok
python3 - "$as" "$tmp/dup" "${opts[@]}" >"$tmp/out" 2>&1 <<'PY'
import os, sys
import ctypes, os, sys
env = [f"{k}={v}" for k, v in os.environ.items() if k != "GLIBC_TUNABLES"]
env += ["GLIBC_TUNABLES=glibc.rtld.nns=4", "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1048576"]
args = [sys.argv[1], "run"] + sys.argv[3:] + ["-a", "glibc", "-o", sys.argv[2]]
def arr(v):  # a NULL-terminated char ** (os.execve takes a mapping: no name twice)
    a = (ctypes.c_char_p * (len(v) + 1))(*[x.encode() for x in v])
    a[len(v)] = None
    return a
sys.stdout.flush()
ctypes.CDLL(None, use_errno=True).execve(sys.argv[1].encode(), arr(args), arr(env))
sys.exit("execve failed")
PY
[ "$(row "$tmp/dup")" = "0 64 63" ] && ok || bad "a second GLIBC_TUNABLES entry reached the trial: $(row "$tmp/dup")"
grep -q "^environment_left_out,GLIBC_TUNABLES items glibc.malloc.mmap_threshold=1048576$" "$tmp/dup/context.csv" &&
  ok || bad "the second entry's item not in environment_left_out"
many=$(for i in $(seq 70); do printf 'TCMALLOC_DUMMY%d=1 ' "$i"; done)
env $many MALLOC_MMAP_THRESHOLD_=1048576 ALLOCSCOPE_NO_REEXEC=1 "$as" run "${opts[@]}" -a glibc \
  -o "$tmp/many" >"$tmp/out" 2>&1
[ "$(row "$tmp/many")" = "0 64 63" ] && ok || bad "past 64 variables one reached the trial: $(row "$tmp/many")"
# what still reaches them is recorded: an allocator preloaded into allocscope
LD_PRELOAD=$(ls /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 2>/dev/null) \
  expect 0 "results:" run "${opts[@]}" -a glibc -o "$tmp/pre"
if [ -e /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 ]; then
  grep -q "^environment_kept,LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2$" "$tmp/pre/context.csv" &&
    ok || bad "LD_PRELOAD not in environment_kept"
fi
grep -q "^environment_kept,none$" "$tmp/plain/context.csv" && ok || bad "environment_kept not none: $(grep environment_kept "$tmp/plain/context.csv")"

# commands that run no trial leave it alone
TCMALLOC_RELEASE_RATE=0 refuse 0 "left out" list

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
