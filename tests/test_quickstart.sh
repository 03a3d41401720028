#!/usr/bin/env bash
# test_quickstart.sh - scripts/quickstart refuses a bad argument before it
# installs or builds anything, and the configuration `main` uses builds the
# CLI and modules but no tests, test modules or benchmarks.
set -u
src=$1
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "check failed: $*" >&2; }
tmp=$(mktemp -d /tmp/test_quickstart.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

for args in "tests" "main extra" "--help"; do
  # shellcheck disable=SC2086
  ALLOCSCOPE_BUILD_DIR=$tmp/build "$src/scripts/quickstart" $args >"$tmp/out" 2>&1
  rc=$?
  if [ $rc -eq 2 ]; then ok; else bad "quickstart $args: exit $rc, want 2"; fi
  if grep -q "usage: scripts/quickstart" "$tmp/out"; then ok; else bad "quickstart $args: no usage line"; cat "$tmp/out" >&2; fi
  if [ ! -e "$tmp/build" ]; then ok; else bad "quickstart $args: configured a build before checking"; fi
  if grep -q "installing\|Building\|Configuring" "$tmp/out"; then bad "quickstart $args: did work first"; else ok; fi
done

# the flags `main` passes (read from the script, so the test follows it)
flags=$(grep -o -- '-DBUILD_TESTING=\$extras -DALLOCSCOPE_BENCH=\$extras' "$src/scripts/quickstart" | head -1)
if [ -n "$flags" ]; then ok; else bad "quickstart main no longer passes BUILD_TESTING/ALLOCSCOPE_BENCH"; fi
if cmake -S "$src" -B "$tmp/main" -DBUILD_TESTING=OFF -DALLOCSCOPE_BENCH=OFF >"$tmp/cfg" 2>&1; then
  ok
  targets=$(cmake --build "$tmp/main" --target help 2>/dev/null)
  for want in allocscope glibc null as_exec allocscope_capture; do
    if grep -qw "$want" <<<"$targets"; then ok; else bad "main configuration lacks $want"; fi
  done
  for unwanted in test_e2e broken_crash testmod_v1 bench_overhead trace_bench fuzz_params; do
    if grep -qw "$unwanted" <<<"$targets"; then bad "main configuration builds $unwanted"; else ok; fi
  done
else
  bad "configure as main does"; cat "$tmp/cfg" >&2
fi
# scripts/gallery replaces its results folder whole: one holding a file of
# the user's is refused, exit 2, and kept (until session 31 it was deleted);
# a stub CLI makes the old script's run of it quick
printf '#!/bin/sh\n[ "$1" = list ] && printf "Modules:\\n  glibc x\\n"\nexit 0\n' >"$tmp/stub"
chmod +x "$tmp/stub"
mkdir -p "$tmp/gal/run"
echo mine >"$tmp/gal/notes.txt"
ALLOCSCOPE=$tmp/stub "$src/scripts/gallery" "$tmp/gal" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && [ -s "$tmp/gal/notes.txt" ] && grep -q "holds notes.txt" "$tmp/out"; then ok
else bad "gallery into a folder holding a user's file: exit $rc, want 2 and the file kept: $(head -3 "$tmp/out")"; fi

# the README's "Dependencies" table names every package quickstart installs,
# and no other, and its pkg-config row every library CMakeLists.txt finds
# with pkg-config (until session 31 it said pkg-config finds hwloc alone)
qs=$(sed -n '/^pkgs=(/,/^fi$/p' "$src/scripts/quickstart" | sed 's/#.*//' |
  grep -o '[a-z][a-z0-9.+-]*[a-z0-9]' | grep -vx 'pkgs\|if\|then\|fi\|mode\|test' | sort -u)
table=$(sed -n '/^## Dependencies/,/^## /p' "$src/README.md" | grep '^| [a-z]' | cut -d'|' -f2 |
  sed 's/(tests)//g' | tr ',' '\n' | tr -d ' ' | grep -v '^$' | grep -vx package | sort -u)
if [ -n "$qs" ] && [ "$qs" = "$table" ]; then ok
else bad "README's Dependencies table and quickstart's packages differ: $(diff <(echo "$qs") <(echo "$table") | grep '^[<>]' | tr '\n' ' ')"; fi
row=$(grep '^| build-essential, cmake, pkg-config |' "$src/README.md")
for m in $(sed -n 's/^pkg_check_modules([A-Z]* IMPORTED_TARGET \([a-z0-9]*\))$/\1/p' "$src/CMakeLists.txt"); do
  if grep -qw "$m" <<<"$row"; then ok; else bad "README's pkg-config row does not name $m (CMakeLists.txt finds it with pkg-config)"; fi
done

# every program a test looks for before it runs it (`command -v NAME`,
# `[ -x /usr/bin/NAME ]`: where it is missing, checks turn into skips) comes
# from a package quickstart installs, one they depend on, or Debian's
# required set (all a debootstrap minbase system has). Until session 36
# /usr/bin/time came from none: test_start_rss skipped on a fresh Debian 12.
# Left out: programs a test prefers but does without (xmllint: python3's XML
# parser otherwise; chromium-browser: Ubuntu's name for Debian's chromium).
optional="xmllint chromium-browser"
if command -v dpkg-query >/dev/null && command -v apt-cache >/dev/null; then
  # shellcheck disable=SC2086
  closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances $qs 2>/dev/null | grep -v '^ ' | sed 's/:.*//' | sort -u)
  looked=$(cat "$src"/tests/*.sh "$src"/scripts/* | grep -v '^[[:space:]]*#' |
    grep -ohE 'command -v [a-z][a-z0-9_.+-]*|\[ -x /[a-z0-9_/.+-]+ \]' |
    sed 's/^command -v //; s/^\[ -x //; s/ \]$//' | sort -u)
  declare -A path owner
  for name in $looked; do
    grep -qxF "${name##*/}" <<<"${optional// /$'\n'}" && continue
    # in the system's folders: a version manager's shim first in PATH is no package
    p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$name") ||
      { bad "the tests look for $name: not installed here"; continue; }
    path[$name]=$(readlink -f "$p")
  done
  # one dpkg-query for all (each takes ~0.5 s); a merged /usr's files are
  # listed under /bin or /lib by the package that holds them
  while IFS= read -r line; do
    owner[${line#*: }]=${line%%[:,]*}
  done < <(for p in "${path[@]}"; do echo "$p"; echo "${p#/usr}"; done | sort -u |
    xargs dpkg-query -S 2>/dev/null)
  for name in "${!path[@]}"; do
    p=${path[$name]} o=${owner[${path[$name]}]:-${owner[${path[$name]#/usr}]:-}}
    if [ -z "$o" ]; then bad "the tests look for $name ($p): no Debian package holds it"
    elif grep -qxF "$o" <<<"$closure" ||
      [ "$(dpkg-query -W -f='${Priority}' "$o" 2>/dev/null)" = required ]; then ok
    else bad "the tests look for $name ($p, package $o): quickstart does not install it"; fi
  done
else
  echo "skipped: the programs the tests look for (no dpkg-query or apt-cache: not Debian)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
