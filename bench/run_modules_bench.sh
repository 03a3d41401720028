#!/usr/bin/env bash
# run_modules_bench.sh - the allocator-module benchmark of docs/modules.md:
# (1) refmalloc vs glibc (and the others) on the mixed-size `random`
#     workload through the real CLI (ns/op and peak RSS, 5 repetitions);
# (2) bench_modules: bump/arena vs glibc allocate-only, pool vs glibc
#     fixed-size churn, arena reset vs individual frees on requests.
# Usage: bench/run_modules_bench.sh [BUILD_DIR]   (default: build). ~1 minute.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cli="$build/harness/allocscope"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== random workload (16..512 B, 10000 live, 2M replacements), 5 reps, via the CLI"
"$cli" run -a glibc,refmalloc,jemalloc,tcmalloc,mimalloc,pool,freelist \
  -w random:ops=2000000 -r 5 -o "$out/random"
echo
echo "== bench_modules"
"$build/bench/bench_modules"
