#!/usr/bin/env bash
# test_module_symbols.sh - no module may import plain malloc-family symbols:
# under RTLD_LOCAL they resolve to glibc (or to whatever `allocscope exec`
# preloads), so the row would silently measure another allocator. Also checks
# that each module exports the entry point and nothing outside the
# allocscope_ namespace (extensions such as arena's mark/release are
# allocscope_<module>_*, looked up with dlsym).
# Usage: test_module_symbols.sh MODULE.so...
set -u
pass=0 fail=0
if ! nm=$(command -v nm) || [ ! -x "$nm" ]; then
  echo "skipped: nm is not installed (binutils)"
  echo "$pass passed, $fail failed"
  exit 77
fi
if [ $# -eq 0 ]; then fail=$((fail+1)); echo "check failed: no module given" >&2; fi
banned='^(malloc|free|calloc|realloc|reallocarray|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|malloc_usable_size)$'
for so in "$@"; do
  # nm must read the file: an unreadable module would otherwise import nothing
  if ! undef=$(nm -D --undefined-only "$so" 2>&1) || ! defined=$(nm -D --defined-only "$so" 2>&1); then
    fail=$((fail+1)); echo "check failed: nm cannot read $so: $undef" >&2; continue
  fi
  bad=$(echo "$undef" | awk '{print $NF}' | sed 's/@.*//' | grep -E "$banned")
  if [ -z "$bad" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "check failed: $so imports $bad" >&2; fi
  exported=$(echo "$defined" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^_')
  stray=$(echo "$exported" | grep -v '^allocscope_')
  if echo "$exported" | grep -qx allocscope_module && [ -z "$stray" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "check failed: $so exports: $exported" >&2; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
