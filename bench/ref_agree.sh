#!/usr/bin/env bash
# ref_agree.sh - does allocscope rank glibc, jemalloc, tcmalloc and mimalloc
# on xmalloc and larson at 2 threads as mimalloc-bench's original programs
# do under LD_PRELOAD of the Debian libraries, on this machine, now?
# Interleaved pairs: in every round each module runs once in allocscope
# (`run -a M -w SPEC -t 2 -r 1`, one trial) and once in the original
# program, the modules in turn; each round gives per-module ns/op for both,
# so ratios (M/glibc) are taken within a round. Prints per workload and
# module the median and min-max over the rounds of M/glibc for allocscope
# and for the original, the median ranking of each, and each module's
# spread (max/min of its ns/op over the rounds: issue 12's figure, here for
# the originals as well); then that spread again over the rounds the host
# ran in one placement of the vCPUs, by allocscope's own probe
# (handoff_end_ns), for allocscope with and without the trials it judged
# disturbed and for the originals run between them (bench/ref_agree_sum.py
# says how).
#
# Both tools time the same length of run: allocscope's trial gets
# --min-time SECS, the originals' run time (extra options after ROUNDS come
# later on its command line, so a --min-time there wins). Until session 9
# allocscope's trials were 0.05-0.2 s against the originals' 1 s, and a
# shorter run spreads more over the same machine.
#
# The originals are not in this repository: larson.cpp carries no licence
# grant (an author line only) and xmalloc-test.c is GPL-3 (its
# license.txt), so they are built here from a checkout of mimalloc-bench:
#   git clone https://github.com/daanx/mimalloc-bench DIR
#   MIMALLOC_BENCH=DIR bench/ref_agree.sh
# builds DIR/bench/xmalloc-test/xmalloc-test.c (gcc -O2 -pthread) and
# DIR/bench/larson/larson.cpp (g++ -O2 -DCPP=1 -pthread, as mimalloc-bench
# builds it) into its temporary folder, every run (about 1 s), and prints
# the checkout's commit. REF_DIR=DIR of already built
# `xmalloc-test` and `larson` binaries works as before. With neither, the
# script says where to get them and exits 77 (skipped).
# They run as mimalloc-bench runs them, shorter:
#   xmalloc-test -w $XW -t $SECS -s 64     (XW producers + XW consumers; default 1)
#   larson $SECS 8 1000 5000 100 4141 2    (prints ns per allocation; stopped
#                                           once it has: it then sleeps 2 s)
# ns/op of the originals: xmalloc-test 1e9 / frees per second; larson its
# "relative time" (1e9 / allocations per second). Only ratios are compared.
#
# Usage: [MIMALLOC_BENCH=DIR | REF_DIR=DIR] bench/ref_agree.sh [BUILD_DIR] [ROUNDS] [extra run options...]
#   env: XMALLOC_SPEC (default xmalloc), LARSON_SPEC (default larson): the
#        allocscope workload specs (several, space-separated: each in every round);
#        SECS (default 1, a whole number: larson sleeps whole seconds): the
#        originals' run time and allocscope's --min-time;
#        XW (default 1); MOD_<name>=PATH.so runs that module from PATH.so;
#        ROWS=FILE keeps the rows (round module workload tool ns/op
#        [handoff_end_ns disturbed]) in FILE.
# Defaults: build, 9 rounds. About 20 s per round on 2 cores at SECS=1.
set -euo pipefail
# the folders named in the environment, from where the script was started
[ -z "${MIMALLOC_BENCH:-}" ] || MIMALLOC_BENCH=$(realpath "$MIMALLOC_BENCH")
[ -z "${REF_DIR:-}" ] || REF_DIR=$(realpath "$REF_DIR")
[ -z "${ROWS:-}" ] || ROWS=$(realpath -m "$ROWS")
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${2:-9}
shift $(($# < 2 ? $# : 2))
cli=$build/harness/allocscope
secs=${SECS:-1}
xw=${XW:-1}
xspec=${XMALLOC_SPEC:-xmalloc}
lspec=${LARSON_SPEC:-larson}
mods=(glibc jemalloc tcmalloc mimalloc)
me=ref_agree.sh
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "$me: SECS=$secs: a whole number of seconds (larson sleeps whole seconds)" >&2; exit 2; }
[ -x "$cli" ] || { echo "$me: build $build first" >&2; exit 2; }
if [ -n "${MIMALLOC_BENCH:-}" ]; then
  # build the originals from the checkout, in this run's temporary folder
  # (about 1 s; no cache that could outlive a change of checkout)
  mb=$MIMALLOC_BENCH
  xsrc=$mb/bench/xmalloc-test/xmalloc-test.c lsrc=$mb/bench/larson/larson.cpp
  for f in "$xsrc" "$lsrc"; do
    [ -f "$f" ] || { echo "$me: MIMALLOC_BENCH=$mb: no $f (a checkout of https://github.com/daanx/mimalloc-bench?)" >&2; exit 2; }
  done
  tmp=$(mktemp -d /tmp/ref_agree-XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  ref=$tmp/originals
  mkdir "$ref"
  ${CC:-gcc} -O2 -pthread -o "$ref/xmalloc-test" "$xsrc" -lpthread
  ${CXX:-g++} -O2 -DCPP=1 -pthread -o "$ref/larson" "$lsrc" -lpthread
  origin="built from $mb, $(git -C "$mb" rev-parse --short HEAD 2>/dev/null || echo 'not a git checkout')"
elif [ -n "${REF_DIR:-}" ]; then
  ref=$REF_DIR
  origin="from REF_DIR=$ref"
else
  echo "skipped: the original programs are not in this repository (larson.cpp has no licence" \
    "grant, xmalloc-test.c is GPL-3); get them with" \
    "'git clone https://github.com/daanx/mimalloc-bench DIR' and run" \
    "'MIMALLOC_BENCH=DIR bench/ref_agree.sh', or set REF_DIR to a folder of built" \
    "xmalloc-test and larson binaries"
  exit 77
fi
for p in xmalloc-test larson; do
  [ -x "$ref/$p" ] || { echo "$me: $ref/$p: not built (see the comment at the top)" >&2; exit 2; }
done
. bench/preload_libs.sh
if [ -z "${tmp:-}" ]; then
  tmp=$(mktemp -d /tmp/ref_agree-XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
fi

# one run of the original larson under LD_PRELOAD=$1: its ns per allocation.
# It prints its figure, then sleeps 2 s before it exits: read its output
# from a FIFO (stdbuf: line by line; a blocking read, no polling while it
# measures) and stop it once the figure is in.
larson_ns() {
  local pid line v=""
  rm -f "$tmp/lfifo"
  mkfifo "$tmp/lfifo"
  LD_PRELOAD=$1 stdbuf -oL "$ref/larson" "$secs" 8 1000 5000 100 4141 2 >"$tmp/lfifo" 2>/dev/null &
  pid=$!
  while IFS= read -r line; do
    case $line in
    *"relative time:"*)
      v=$(sed -n 's/.*relative time: \([0-9.]*\)s.*/\1/p' <<<"$line")
      break
      ;;
    esac
  done <"$tmp/lfifo"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$v"
}

# one allocscope trial of module $1 on spec $2 at 2 threads: its ns/op,
# handoff_end_ns (where the host had the vCPUs) and whether allocscope
# judged it disturbed (summary.csv reps_disturbed)
as_ns() {
  local m=$1 spec=$2 var="MOD_$1"
  rm -rf "$tmp/r"
  "$cli" run -q --no-plot -a "${!var:-$m}" -w "$spec" -t 2 -r 1 --min-time "$secs" -o "$tmp/r" \
    "${extra[@]}" >/dev/null
  python3 -c 'import csv, sys
d = [r["reps_disturbed"] for r in csv.DictReader(open(sys.argv[2]))]
for r in csv.DictReader(open(sys.argv[1])):
    if r["status"] == "ok":
        print(r["ns_per_op"], r["handoff_end_ns"] or "-", 1 if d and d[0] not in ("", "0") else 0)' \
    "$tmp/r/trials.csv" "$tmp/r/summary.csv"
}
extra=("$@")
echo "ref_agree: $rounds rounds; allocscope -w $xspec / $lspec -t 2 -r 1 --min-time $secs ${extra[*]};" \
  "originals ($origin) xmalloc-test -w $xw -t $secs -s 64, larson $secs 8 1000 5000 100 4141 2;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
  for m in "${mods[@]}"; do
    for w in $xspec; do
      x=$(as_ns "$m" "$w" 2>/dev/null || true)
      echo "$r $m xmalloc allocscope:$w ${x:-nan - 0}" >>"$tmp/rows"
    done
    for w in $lspec; do
      l=$(as_ns "$m" "$w" 2>/dev/null || true)
      echo "$r $m larson allocscope:$w ${l:-nan - 0}" >>"$tmp/rows"
    done
    x=$(LD_PRELOAD=${lib[$m]} "$ref/xmalloc-test" -w "$xw" -t "$secs" -s 64 |
      awk '{for (i = 1; i <= NF; i++) if ($i == "free/sec:") print 1000 / $(i + 1)}')
    echo "$r $m xmalloc original ${x:-nan}" >>"$tmp/rows"
    l=$(larson_ns "${lib[$m]}")
    echo "$r $m larson original ${l:-nan}" >>"$tmp/rows"
  done
done
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg); rows: round module workload tool ns/op [handoff_end_ns disturbed]"
[ -z "${ROWS:-}" ] || cp "$tmp/rows" "$ROWS"
python3 bench/ref_agree_sum.py "$tmp/rows"
