#!/usr/bin/env bash
# test_claims_mechanism.sh - the article's claims can fail. An outside
# review found them judged on held shares alone: a module named glibc that
# never calls brk had "4 KiB: brk heap" CONFIRMED, one that drops freed
# pages with madvise had "256 KiB: own mmap, munmap on free" CONFIRMED, a
# fixed mmap_threshold=512k had "threshold moved up" CONFIRMED, and
# "with malloc_trim" was CONFIRMED where munmap alone had given the memory
# back. The claims now judge the mechanism too (brk heap's share of the
# RSS, munmap calls), the moved threshold at 1 MiB, malloc_trim against
# the same run without it, and the pinned heap against a control that
# keeps the oldest blocks. Each must refute the module that breaks it and
# confirm glibc.
# usage: test_claims_mechanism.sh ALLOCSCOPE IMPOSTOR_DIR
set -u
as=$1 impostor=$2
. "$(dirname "$0")/cli_expect.sh"
export CI=1

# verdict V MODULE CLAIM-WORDS FOLDER: verdicts.csv has that verdict
verdict() {
  local v=$1 m=$2 words=$3 dir=$4
  # the claim cell is quoted when it holds a comma
  if { grep -aF ",$m,$words" "$dir/verdicts.csv"; grep -aF ",$m,\"$words" "$dir/verdicts.csv"; } |
    grep -q ",$v,"; then ok; else
    bad "$dir: $m '$words' is not $v:"
    grep -aF "$words" "$dir/verdicts.csv" | sed 's/^/  | /' >&2
  fi
}

# In the sanitizer build every byte the harness writes to a block is
# checked against ASan's shadow first: the shadow of 4 MiB of blocks is 512
# KiB that the shadow's reads touch. Where a read of untouched memory maps
# the kernel's shared zero page, that adds no RSS; on a kernel that gives
# such a read a page of its own (6.18.44-fc, session 36: 64 MiB read, 64
# MiB more RSS) it adds 516 KiB to a 4 MiB trial and the shares of RSS
# given back move past their bounds (256 KiB given back 0.18, arena's
# residue 1.30). The plain build checks them wherever it runs.
shares=1
if [ -n "${ALLOCSCOPE_SANITIZED:-}" ]; then
  fill=$(python3 -c '
import mmap
def rss(): return int(open("/proc/self/statm").read().split()[1]) * 4
n = 16 << 20
m = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
r0 = rss(); sum(m[i] for i in range(0, n, 4096)); print(rss() - r0)')
  if [ "${fill:-0}" -gt 8192 ]; then
    shares=0
    echo "skipped: the shares of RSS given back (sanitizer build, and reading 16 MiB of untouched memory took $fill KiB: ASan's shadow reads fill pages here)"
  fi
fi
# verdict_share V MODULE CLAIM-WORDS FOLDER: a verdict on a share of RSS
verdict_share() { if [ "$shares" = 1 ]; then verdict "$@"; fi; }

# the impostor: held shares like glibc's, no brk, no munmap
ALLOCSCOPE_MODULE_PATH=$impostor expect 0 "verdicts:" suite threshold --quick --no-plot \
  -a glibc,glibc:madv=128k -o "$tmp/imp"
verdict REFUTED glibc "64 KiB: from the brk heap" "$tmp/imp"
verdict CONFIRMED glibc "64 KiB: freed but held" "$tmp/imp" # the share alone: fooled
verdict REFUTED glibc:madv=128k "256 KiB: own mmap, munmap per free" "$tmp/imp"
verdict_share CONFIRMED glibc:madv=128k "256 KiB: freed and given back" "$tmp/imp"
verdict REFUTED glibc:madv=128k "256 KiB after a 1 MiB free: threshold moved, brk heap" "$tmp/imp"
ALLOCSCOPE_MODULE_PATH=$impostor expect 0 "verdicts:" suite leak --quick --no-plot -a glibc \
  -o "$tmp/impleak"
verdict CONFIRMED glibc "1 KiB blocks, newest kept: heap cannot shrink" "$tmp/impleak"
verdict REFUTED glibc "1 KiB blocks, oldest kept (control): it shrinks" "$tmp/impleak"
verdict REFUTED glibc "1 KiB blocks: from the brk heap" "$tmp/impleak"
verdict CONFIRMED glibc "1 KiB blocks, newest kept: brk gives nothing back" "$tmp/impleak"
verdict REFUTED glibc "1 KiB blocks, oldest kept (control): brk gives the top back" "$tmp/impleak"
verdict REFUTED glibc "256 KiB after a 1 MiB free: brk heap" "$tmp/impleak"

# an arena whose reset reuses nothing: as fast, but every request's memory
# stays (10 requests with --quick)
ALLOCSCOPE_MODULE_PATH=$impostor expect 0 "verdicts:" suite phase --quick --no-plot \
  -a glibc,arena -o "$tmp/imparena"
verdict REFUTED arena "arena: every request reuses the first one's memory (no residue)" \
  "$tmp/imparena"
expect 0 "verdicts:" suite phase --quick --no-plot -a glibc,arena -o "$tmp/arena_real"
verdict_share CONFIRMED arena "arena: every request reuses the first one's memory (no residue)" \
  "$tmp/arena_real"

# a suite that judges nothing says so, and fails --strict
expect 1 "no claim was judged: the claims are about glibc" suite threshold --quick --no-plot \
  --strict -a "$impostor/glibc.so" -o "$tmp/none"
expect 0 "no claim was judged" suite threshold --quick --no-plot -a "$impostor/glibc.so" \
  -o "$tmp/none2"

if [ -n "${ALLOCSCOPE_SANITIZED:-}" ]; then
  echo "glibc's own variants skipped: sanitizer build (ASan's allocator stands in for glibc's)"
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ] || exit 1
  exit 77
fi

# glibc with a fixed threshold of 512 KiB: 256 KiB blocks are held after
# the 1 MiB free as after a moved threshold, 1 MiB blocks are not
expect 0 "verdicts:" suite threshold --no-plot -r 1 -a glibc,glibc:mmap_threshold=512k \
  -o "$tmp/fixed"
verdict CONFIRMED glibc:mmap_threshold=512k "256 KiB after a 1 MiB free: freed but held" "$tmp/fixed"
verdict REFUTED glibc:mmap_threshold=512k "1 MiB after a 1 MiB free: freed but held" "$tmp/fixed"
verdict REFUTED glibc:mmap_threshold=512k "128 KiB: own mmap, munmap per free" "$tmp/fixed"
if grep -E ',glibc,' "$tmp/fixed/verdicts.csv" | grep -qv ',CONFIRMED,'; then
  bad "plain glibc has a claim not CONFIRMED:"
  grep -E ',glibc,' "$tmp/fixed/verdicts.csv" | grep -v ',CONFIRMED,' >&2
else ok; fi

# glibc with a 1 KiB threshold: munmap gives the 1 KiB blocks back without
# malloc_trim, so trim gains nothing over the same run without it
# The trim threshold: a fixed one of 1 MiB gives the 1.9 MiB free top
# back, one of 4 MiB keeps the 2.1 MiB one (glibc keeps and gives back).
variants=glibc:mmap_threshold=1m,trim_threshold=1m,glibc:mmap_threshold=1m,trim_threshold=4m
expect 0 "verdicts:" suite leak --quick --no-plot -a "glibc,glibc:mmap_threshold=1k,$variants" \
  -o "$tmp/trim"
verdict REFUTED glibc:mmap_threshold=1k "malloc_trim gives the pages back (vs without)" "$tmp/trim"
verdict CONFIRMED glibc "malloc_trim gives the pages back (vs without)" "$tmp/trim"
verdict CONFIRMED glibc "1 KiB blocks, oldest kept (control): it shrinks" "$tmp/trim"
verdict CONFIRMED glibc "256 KiB blocks: munmap per free (28)" "$tmp/trim"
verdict CONFIRMED glibc "1.9 MiB free on top, under M_TRIM_THRESHOLD (2 MiB): kept" "$tmp/trim"
verdict CONFIRMED glibc "2.1 MiB free on top, over M_TRIM_THRESHOLD: brk gives all but the pad" "$tmp/trim"
verdict REFUTED '"glibc:mmap_threshold=1m,trim_threshold=1m"' \
  "1.9 MiB free on top, under M_TRIM_THRESHOLD (2 MiB): kept" "$tmp/trim"
verdict CONFIRMED '"glibc:mmap_threshold=1m,trim_threshold=1m"' \
  "2.1 MiB free on top, over M_TRIM_THRESHOLD: brk gives all but the pad" "$tmp/trim"
verdict CONFIRMED '"glibc:mmap_threshold=1m,trim_threshold=4m"' \
  "1.9 MiB free on top, under M_TRIM_THRESHOLD (2 MiB): kept" "$tmp/trim"
verdict REFUTED '"glibc:mmap_threshold=1m,trim_threshold=4m"' \
  "2.1 MiB free on top, over M_TRIM_THRESHOLD: brk gives all but the pad" "$tmp/trim"

# lazy brk: 120 KiB blocks grow the heap and are not resident; with a
# 64 KiB threshold they are mmapped and the heap does not grow
expect 0 "verdicts:" suite lazy --quick --no-plot -a glibc,glibc:mmap_threshold=64k -o "$tmp/lazy"
verdict CONFIRMED glibc "120 KiB untouched: the brk heap grew by them" "$tmp/lazy"
verdict CONFIRMED glibc "120 KiB untouched: not resident" "$tmp/lazy"
verdict REFUTED glibc:mmap_threshold=64k "120 KiB untouched: the brk heap grew by them" "$tmp/lazy"

# mmapcost's mechanism: with a 64 KiB threshold the 120 KiB blocks are
# mmapped too, no brk call at all
expect 0 "verdicts:" suite mmapcost --quick --no-plot -a glibc,glibc:mmap_threshold=64k \
  -o "$tmp/mmapcost"
verdict CONFIRMED glibc "120 KiB: a brk call for every other block (1000 blocks)" "$tmp/mmapcost"
verdict REFUTED glibc:mmap_threshold=64k "120 KiB: a brk call for every other block (1000 blocks)" \
  "$tmp/mmapcost"

# the second thread's arena: a 64 MiB heap mmapped for it, none with
# arena_max=1 (both threads share the main arena)
expect 0 "verdicts:" suite benchmt --quick --no-plot -a glibc,glibc:arena_max=1 -o "$tmp/arena"
verdict CONFIRMED glibc "2 threads: a second arena, 64 MiB mmapped" "$tmp/arena"
verdict REFUTED glibc:arena_max=1 "2 threads: a second arena, 64 MiB mmapped" "$tmp/arena"

# the unit of a mechanism claim is its own
grep -qaF ',munmap calls,REFUTED,' "$tmp/fixed/verdicts.csv" && ok ||
  bad "verdicts.csv has no 'munmap calls' unit"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
