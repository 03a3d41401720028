#!/usr/bin/env bash
# test_fn_length.sh - functions fit on a screen or two (STYLE.md: at most
# 120 lines on the data path): each function of the files named, from its
# opening brace to its closing one (both at column 0, as .clang-format
# writes them), at most MAX lines (tests/CMakeLists.txt). compare_main was
# 218 lines and load_groups 106 until session 36 split them.
# usage: test_fn_length.sh MAX FILE...
max=$1
shift
pass=0 fail=0
for f in "$@"; do
  if [ ! -r "$f" ]; then
    echo "check failed: $f: cannot read it" >&2
    fail=$((fail + 1))
    continue
  fi
  long=$(awk -v max="$max" '
    /^[A-Za-z_].*\(/ { name = $0; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name) }
    /^\{$/ { start = FNR }
    /^\}$/ && start { n = FNR - start + 1
      if (n > max) printf "%s:%d: %s is %d lines (at most %d)\n", FILENAME, start, name, n, max
      start = 0 }' "$f")
  if [ -n "$long" ]; then
    echo "check failed: $long" >&2
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
