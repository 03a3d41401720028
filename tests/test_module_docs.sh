#!/usr/bin/env bash
# test_module_docs.sh - the README's module snippet against the ABI docs: it
# compiles against allocators/allocscope_module.h, and its vtable starts
# with the fields docs/modules.md says every vtable starts with (the
# README once left out param_spec_size and params_version).
# Usage: test_module_docs.sh SRC_DIR
set -u
src=$1
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass+1)); echo "ok: $*"; }
bad() { fail=$((fail+1)); echo "FAILED: $*"; }

# the first ```c block of the README's "Write your own module" section
awk '/^## Write your own module/ {s=1} s && /^```c$/ {c=1; next} c && /^```$/ {exit} c' \
  "$src/README.md" >"$tmp/snippet.c"
if [ -s "$tmp/snippet.c" ] &&
  "${CC:-cc}" -std=c11 -fsyntax-only -Wno-unused-function -I "$src/allocators" "$tmp/snippet.c" 2>"$tmp/cc.err"; then
  ok "the README's snippet compiles against the ABI header"
else
  bad "the README's snippet: $(head -5 "$tmp/cc.err")"
fi
# the fields each side's vtable starts with (docs: the block after "It starts with")
awk '/^one designated initialiser. It starts with/ {s=1} s && /^```/ {if (c) exit; c=1; next} c' \
  "$src/docs/modules.md" | sed -n 's/^[[:space:]]*\(\.[a-z_]*\) *=.*/\1/p' >"$tmp/docs.f"
n=$(wc -l <"$tmp/docs.f")
sed -n 's/^[[:space:]]*\(\.[a-z_]*\) *=.*/\1/p' "$tmp/snippet.c" | head -n "$n" >"$tmp/readme.f"
if [ "$n" -ge 4 ] && diff "$tmp/docs.f" "$tmp/readme.f" >"$tmp/diff"; then
  ok "the README's vtable starts as docs/modules.md says ($(tr '\n' ' ' <"$tmp/docs.f"))"
else
  bad "the README's vtable does not start as docs/modules.md says: $(cat "$tmp/diff")"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
