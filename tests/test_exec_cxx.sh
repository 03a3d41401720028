#!/usr/bin/env bash
# test_exec_cxx.sh - C++'s operator new and delete (tests/cxx_new_prog.cpp:
# every Itanium-ABI variant) reach the module under `allocscope exec` and
# are recorded by `allocscope capture`, also when the caller's LD_PRELOAD
# already holds an allocator that defines them (tcmalloc, jemalloc: theirs
# used to win over the shim's malloc family, and a run or a trace silently
# lost every C++ allocation); and C++'s failure semantics (new_handler,
# bad_alloc, nullptr from nothrow) are the same as on the system malloc.
# Usage: test_exec_cxx.sh ALLOCSCOPE CXX_NEW_PROG MODULE...
set -u
cli=$1 prog=$2
shift 2
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "check failed: $*" >&2; }
export TMPDIR="$tmp"

# the caller's preloads to try: none, and the allocators installed here
preloads=("")
for l in /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 \
  /usr/lib/x86_64-linux-gnu/libmimalloc.so.2; do
  [ -r "$l" ] && preloads+=("$l")
done
[ ${#preloads[@]} -gt 1 ] || echo "skipped: runs with a preloaded allocator (none installed)"

# 1000 rounds of 12 allocations and 12 frees: 24,000 calls at least
for pre in "${preloads[@]}"; do
  LD_PRELOAD=$pre "$cli" exec -a glibc --stats -- "$prog" every 1000 >/dev/null 2>"$tmp/st"; rc=$?
  calls=$(sed -n 's/^  calls=//p' "$tmp/st")
  if [ $rc -eq 0 ] && [ "${calls:-0}" -ge 24000 ]; then ok
  else bad "exec with LD_PRELOAD='$pre': rc=$rc calls=${calls:-none} (want >= 24000)"; fi
  rm -f "$tmp"/c.ast*
  (cd "$tmp" && LD_PRELOAD=$pre "$cli" capture -o c.ast -- "$prog" every 1000 >/dev/null 2>"$tmp/cap"); rc=$?
  if [ $rc -eq 0 ] && "$cli" trace convert "$tmp/c.ast" "$tmp/c.csv" >/dev/null 2>&1; then
    got=$(awk -F, '$1 != "free" && $4 == 5003 { n++; ids[$3] = 1; if ($5 == 64) a++ }
      $1 == "free" && ($3 in ids) { f++; delete ids[$3] }
      END { printf "%d %d %d", n, a, f }' "$tmp/c.csv")
    if [ "$got" = "12000 6000 12000" ]; then ok
    else bad "capture with LD_PRELOAD='$pre': allocations, 64-aligned, frees of 5003 bytes: $got (want 12000 6000 12000)"; fi
  else
    bad "capture with LD_PRELOAD='$pre': rc=$rc $(head -3 "$tmp/cap")"
  fi
done

# running out: the same answers as on the system malloc, on every module
# with an individual free, and under capture
"$prog" fail >"$tmp/plain" 2>&1 || bad "cxx_new_prog fail exits $? on the system malloc"
for m in "$@"; do
  caps=$("$cli" list 2>/dev/null | awk -v m="$m" '$1==m {getline; print; exit}')
  [[ "$m" == *.so || "$caps" == *free* ]] || continue
  "$cli" exec -a "$m" -- "$prog" fail >"$tmp/mod" 2>"$tmp/err"; rc=$?
  if [ $rc -eq 0 ] && cmp -s "$tmp/plain" "$tmp/mod"; then ok
  else bad "C++ failure semantics on $m: rc=$rc $(diff "$tmp/plain" "$tmp/mod" | head -4) $(head -2 "$tmp/err")"; fi
done
(cd "$tmp" && "$cli" capture -o f.ast -- "$prog" fail >"$tmp/mod" 2>"$tmp/err"); rc=$?
if [ $rc -eq 0 ] && cmp -s "$tmp/plain" "$tmp/mod"; then ok
else bad "C++ failure semantics under capture: rc=$rc $(diff "$tmp/plain" "$tmp/mod" | head -4)"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
