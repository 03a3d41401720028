#!/usr/bin/env bash
# test_ref_agree.sh - bench/ref_agree.sh gets the original programs itself:
# without them it says where to get them and skips (77); with
# MIMALLOC_BENCH=DIR it builds DIR's bench/xmalloc-test/xmalloc-test.c and
# bench/larson/larson.cpp, runs allocscope's trials for as long as the
# originals run (--min-time SECS), stops larson once it has printed its
# figure (the real one then sleeps 2 s; the stand-in here 60 s), and prints
# both tools' spread. The checkout here is a stand-in: two tiny programs that
# print what the real ones print, with fixed figures.
# Skipped (77) without g++, stdbuf, or the Debian allocators the script
# preloads.
# Usage: test_ref_agree.sh BUILD_DIR
set -u
build=$(realpath "$1")
src=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skip() { echo "skipped: $*"; echo "0 passed, 0 failed"; exit 77; }
command -v g++ > /dev/null || skip "no g++"
command -v stdbuf > /dev/null || skip "no stdbuf"
for l in libjemalloc.so.2 libtcmalloc_minimal.so.4 libmimalloc.so.2; do
  ldconfig -p | grep -q "^[[:space:]]*$l " || skip "no $l (the script preloads the Debian allocators)"
done
tmp=$(mktemp -d /tmp/as_test_ref_agree.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# 0. the libraries' lookup (bench/preload_libs.sh, under the scripts'
# pipefail) reads ldconfig's whole list: an ldconfig that names them first
# and then writes more than a pipe holds. A lookup that stops reading at
# its match kills it with SIGPIPE, and the script exits 141 (it did so by
# chance, in ~2 % of lookups at load 13, with the real list)
mkdir "$tmp/bin"
cat > "$tmp/bin/ldconfig" <<'SH'
#!/bin/sh
for l in libjemalloc.so.2 libtcmalloc_minimal.so.4 libmimalloc.so.2; do
  printf '\t%s (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/%s\n' "$l" "$l"
done
i=0
while [ $i -lt 4000 ]; do
  printf '\tlibfiller%d.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libfiller%d.so.1\n' $i $i
  i=$((i + 1))
done
SH
chmod +x "$tmp/bin/ldconfig"
got=$(cd "$src" && PATH="$tmp/bin:$PATH" bash -c 'set -euo pipefail; me=t; . bench/preload_libs.sh
  echo "${lib[jemalloc]} ${lib[tcmalloc]} ${lib[mimalloc]}"' 2>&1)
rc=$?
d=/usr/lib/x86_64-linux-gnu
[ $rc = 0 ] && [ "$got" = "$d/libjemalloc.so.2 $d/libtcmalloc_minimal.so.4 $d/libmimalloc.so.2" ] &&
  ok "the libraries' lookup reads ldconfig's whole list" ||
  bad "the libraries' lookup with a long ldconfig list: exit $rc, '$got' (141: SIGPIPE)"

# 1. no originals: a clear skip naming where to get them
out=$(env -u MIMALLOC_BENCH -u REF_DIR "$src/bench/ref_agree.sh" "$build" 1 2>&1)
rc=$?
[ $rc = 77 ] && ok "no originals: exit 77" || bad "no originals: exit $rc, want 77 ($out)"
grep -q "https://github.com/daanx/mimalloc-bench" <<<"$out" && grep -q "MIMALLOC_BENCH=" <<<"$out" &&
  ok "it says where to get them" || bad "no source named: $out"

# 2. a stand-in checkout
mkdir -p "$tmp/mb/bench/xmalloc-test" "$tmp/mb/bench/larson"
cat > "$tmp/mb/bench/xmalloc-test/xmalloc-test.c" <<'C'
#include <stdio.h>
int main(void) { printf("rtime: 2.000, free/sec: 50.000 M\n"); return 0; }
C
cat > "$tmp/mb/bench/larson/larson.cpp" <<'C'
#include <stdio.h>
#include <unistd.h>
#ifndef CPP
#error larson is built with -DCPP=1, as mimalloc-bench builds it
#endif
int main(void)
{
	printf("Throughput = 50000000 operations per second, relative time: 20.000s.\n");
	sleep(60); /* the real one sleeps 2 s here */
	printf("Done sleeping...\n");
	return 0;
}
C
t0=$(date +%s.%N)
out=$(MIMALLOC_BENCH=$tmp/mb XMALLOC_SPEC=xmalloc:batches=1 LARSON_SPEC=larson:ops=2000 \
  "$src/bench/ref_agree.sh" "$build" 1 --latency 0 2>&1)
rc=$?
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "$out"
[ $rc = 0 ] && ok "MIMALLOC_BENCH: exit 0" || bad "MIMALLOC_BENCH: exit $rc"
grep -q "built from $tmp/mb" <<<"$out" && ok "it built the originals from the checkout" ||
  bad "no 'built from $tmp/mb' in the header"
grep -q -- "-r 1 --min-time 1 " <<<"$out" && ok "allocscope runs --min-time SECS (1)" ||
  bad "allocscope's --min-time is not the originals' 1 s"
# 8 allocscope trials of >= 1 s each; larson's 60 s sleep 4 times over if not stopped
if awk -v s="$secs" 'BEGIN { exit !(s >= 8 && s < 100) }'; then
  ok "took $secs s: trials of 1 s, larson stopped after its figure"
else
  bad "took $secs s, want 8-100 (under 8: trials shorter than 1 s; 240+: larson waited for)"
fi
# the originals' rows parsed: constant figures, spread 1.00, every module ranked
grep -A3 "^  original" <<<"$out" | grep -q "spread (max/min ns/op over the rounds): glibc 1.00; jemalloc 1.00; tcmalloc 1.00; mimalloc 1.00" &&
  ok "the originals' spread is printed" || bad "no spread line for the originals"
[ "$(grep -cE 'ranking \(median ns/op\): ([a-z]+ [0-9.]+ < ){3}[a-z]+ [0-9.]+$' <<<"$out")" = 4 ] &&
  ok "rankings for both tools on both workloads" || bad "want 4 ranking lines"
! grep -q " nan" <<<"$out" && ok "no missing figure" || bad "a nan in the output"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
