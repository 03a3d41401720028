#!/usr/bin/env bash
# test_docs.sh - the man pages and the bash completion the build generates
# from the option tables stay in step with them: every option --help shows
# (the tables' other output) is in the command's man page and is offered by
# the completion; `man -l` renders every page without warnings; the
# completion offers commands, module and workload names, their param keys,
# suites and an option's listed values.
# usage: test_docs.sh ALLOCSCOPE GENERATED_DIR
set -u
as=$1 gen=$2
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "check failed: $*" >&2; }
comp=$gen/bash-completion/allocscope
for f in "$comp" "$gen/man1/allocscope.1" "$gen/man5/allocscope-results.5"; do
  if [ -s "$f" ]; then ok; else bad "$f not generated"; fi
done
# shellcheck disable=SC1090
source "$comp" || bad "the completion script does not load"

# complete LINE: COMPREPLY for the cursor at the end of LINE, one a line
complete_line() {
  COMP_LINE=$1 COMP_POINT=${#1} COMPREPLY=()
  _allocscope 2>/dev/null
  printf '%s\n' "${COMPREPLY[@]}"
}
# offers LINE WORD...: completing LINE offers each WORD
offers() {
  local line=$1 got
  shift
  got=$(complete_line "$line")
  for w in "$@"; do
    if grep -qxF -- "$w" <<<"$got"; then ok; else bad "completing '$line' does not offer '$w' (got: $(tr '\n' ' ' <<<"$got"))"; fi
  done
}

# every command, and the options of each as --help lists them
cmds=$("$as" --help | awk '/^Commands:/ {c = 1; next} c && /^  [a-z]/ {print $1} /^$/ {c = 0}')
if [ -n "$cmds" ]; then ok; else bad "no commands in --help"; fi
pages=()
for c in $cmds; do
  offers "$as ${c:0:2}" "$c"
  if grep -q "^\\\\fB$c\\\\fR" "$gen/man1/allocscope.1"; then ok; else bad "allocscope.1 does not list $c"; fi
  subs=$("$as" "$c" --help | awk '/^usage: allocscope [a-z]+ [a-z]+\|/ {print $4}' | tr '|' ' ')
  if [ -z "$subs" ]; then set -- "$c"; else set --; for s in $subs; do set -- "$@" "$c $s"; done; fi
  for cs in "$@"; do
    page=$gen/man1/allocscope-$c.1
    pages+=("$page")
    # shellcheck disable=SC2086
    opts=$("$as" $cs --help | sed -n 's/^  \(-\(.\), \)\{0,1\}--\([a-z0-9-]*\).*/\2 \3/p')
    if [ -n "$opts" ]; then ok; else bad "$cs --help lists no options"; fi
    while read -r short long; do
      [ -z "$long" ] && { long=$short; short=""; }
      if grep -qF -- "\\-\\-$long" "$page"; then ok; else bad "$page lacks --$long"; fi
      offers "$as $cs --" "--$long"
      if [ -n "$short" ]; then
        if grep -qF -- "\\fB\\-$short\\fR" "$page"; then ok; else bad "$page lacks -$short"; fi
        offers "$as $cs -" "-$short"
      fi
    done <<<"$opts"
  done
done

# man renders every page, without warnings
if command -v man >/dev/null 2>&1; then
  for page in "$gen/man1/allocscope.1" "${pages[@]}" "$gen/man5/allocscope-results.5"; do
    out=$(MANWIDTH=100 man --warnings -l "$page" 2>&1 >/dev/null)
    if [ $? -eq 0 ] && [ -z "$out" ]; then ok; else bad "man -l $page: $out"; fi
  done
  if MANWIDTH=100 man -l "$gen/man1/allocscope-run.1" 2>/dev/null | grep -q -- "--allocators LIST"; then ok
  else bad "allocscope-run(1) does not render --allocators LIST"; fi
else
  echo "skipped: man not installed (rendering not checked)"
fi

# `help results` and allocscope-results(5) name every file a run, suite or
# tune folder holds (until session 26 they left out comparisons.csv,
# verdicts.csv, scenarios.csv, suite.args, the tune files and report.html)
hr=$("$as" help results)
for file in trials.csv summary.csv series.csv latency.csv histogram.csv context.csv \
  comparisons.csv summary.json run.args verdicts.csv scenarios.csv headline.csv suite.args \
  tune.csv frontier.csv verify.csv tune.json report.md report.html; do
  if grep -qF "$file" <<<"$hr"; then ok; else bad "help results does not name $file"; fi
  if grep -qF "$file" "$gen/man5/allocscope-results.5"; then ok; else bad "allocscope-results.5 does not name $file"; fi
done

# values: names and keys from the CLI itself, listed words, suites
offers "$as run -a gl" glibc
offers "$as run -a glibc,re" glibc,refmalloc
offers "$as run --allocator nu" null
offers "$as run -a refmalloc:mm" mmap_threshold=
offers "$as run -a glibc,refmalloc:to" top_pad=
offers "$as run -w ran" random
offers "$as run -w random:o" ops=
offers "$as run --syscalls se" seccomp
offers "$as suite art" article
offers "$as trace st" stats
offers "$as check gl" glibc
offers "$as list lar" larson
offers "$as list art" article
offers "$as list jem" jemalloc
offers "$as help re" results
offers "$as exec -a glibc -- ba" bash
if [ -z "$(complete_line "$as run -a zzzq")" ]; then ok; else bad "an unknown module prefix offers something"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
