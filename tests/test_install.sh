#!/usr/bin/env bash
# test_install.sh - a third party's view: install allocscope into a prefix,
# build examples/mymodule against the installed header alone, both ways
# (pkg-config, and CMake's find_package(allocscope) with allocscope::module),
# then load it with the installed CLI: `check` passes and `run` completes.
set -u
build=$1 src=$2 sanitized=${3:-0}
pass=0 fail=0
t() { if "$@" >/dev/null 2>"$tmp/last.err"; then pass=$((pass+1)); else fail=$((fail+1)); echo "check failed: $*" >&2; cat "$tmp/last.err" >&2; fi; }
tmp=$(mktemp -d)
prefix=$tmp/prefix

t cmake --install "$build" --prefix "$prefix"
t test -x "$prefix/bin/allocscope"
t test -f "$prefix/include/allocscope/allocscope_module.h"
t test -f "$prefix/share/pkgconfig/allocscope.pc"
t test -f "$prefix/lib/allocscope/glibc.so"
export PKG_CONFIG_PATH=$prefix/share/pkgconfig
cflags=$(pkg-config --cflags allocscope)
t test -n "$cflags"
# shellcheck disable=SC2086
t cc -O2 -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror $cflags \
  "$src/examples/mymodule/mymodule.c" -o "$tmp/mymodule.so"
t "$prefix/bin/allocscope" check "$tmp/mymodule.so"
# the CMake package beside the .pc file: find_package + allocscope::module
t test -f "$prefix/share/cmake/allocscope/allocscopeConfig.cmake"
t cmake -S "$src/examples/mymodule" -B "$tmp/mm-cmake" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS=-Wall -Wextra -Werror"
t cmake --build "$tmp/mm-cmake"
t test -f "$tmp/mm-cmake/mymodule.so"
t "$prefix/bin/allocscope" check "$tmp/mm-cmake/mymodule.so"
# the package is relocatable: a moved prefix still finds its headers
t mv "$prefix" "$tmp/moved"
t cmake -S "$src/examples/mymodule" -B "$tmp/mm-moved" -DCMAKE_PREFIX_PATH="$tmp/moved"
t cmake --build "$tmp/mm-moved"
t mv "$tmp/moved" "$prefix"
t "$prefix/bin/allocscope" run -r 1 -q --min-time 0 -a glibc,"$tmp/mymodule.so" -w random:ops=20000,live=1000 -o "$tmp/res"
t grep -q "mymodule.so,,1.0,random" "$tmp/res/trials.csv"
# the installed CLI finds its modules by name without any environment
t "$prefix/bin/allocscope" check null
# ... and its preload libraries (exec, capture), not listed as modules
t test -f "$prefix/lib/allocscope-preload/as_exec.so"
t test -f "$prefix/lib/allocscope-preload/allocscope_capture.so"
# (a sanitized module cannot be preloaded into a plain program: not there)
if [ "$sanitized" != 1 ]; then
  t "$prefix/bin/allocscope" exec -a refmalloc -- /bin/true
else
  echo "skipped: exec through the installed CLI (sanitizer build)"
fi
t "$prefix/bin/allocscope" capture -o "$tmp/t.ast" -- /bin/ls "$src"
t "$prefix/bin/allocscope" trace stats "$tmp/t.ast"
# --version, the man pages, the completion and the documentation
t grep -qE "^allocscope [0-9]+\.[0-9]+\.[0-9]+ \(git [^,]+, [A-Za-z]+\)$" <("$prefix/bin/allocscope" --version)
for page in man1/allocscope.1 man1/allocscope-run.1 man1/allocscope-exec.1 man1/allocscope-trace.1 \
  man5/allocscope-results.5; do
  t test -s "$prefix/share/man/$page"
done
if command -v man >/dev/null 2>&1; then
  t env MANPATH="$prefix/share/man" man -w allocscope-run
  t grep -q -- "--allocators" <(MANWIDTH=100 MANPATH="$prefix/share/man" man allocscope-run 2>/dev/null)
fi
t test -s "$prefix/share/bash-completion/completions/allocscope"
t grep -q "^complete -F _allocscope allocscope" "$prefix/share/bash-completion/completions/allocscope"
# the completion asks the installed CLI for module names
t grep -qx glibc <("$prefix/bin/allocscope" __complete modules)
t test -s "$prefix/share/doc/allocscope/README.md"
t test -s "$prefix/share/doc/allocscope/results/README.md"
t test -s "$prefix/share/doc/allocscope/docs/measure.md"
t grep -q "rss_peak_kib" <("$prefix/bin/allocscope" help results)
if "$prefix/bin/allocscope" list 2>&1 | grep -q "cannot load"; then
  fail=$((fail+1)); echo "check failed: list shows files that are not modules" >&2
else pass=$((pass+1)); fi
rm -rf "$tmp"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
