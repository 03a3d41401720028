#!/usr/bin/env bash
# test_plot_doc.sh - docs/plots.md says what harness/plot.h and the tool
# do: every as_plot_* and AS_PLOT_* name it uses is declared in plot.h (or,
# as_plot_and_print, the CLI's commands.h), its
# as_plot_dir calls have plot.h's three arguments, what it says of formats
# 0 is plot.h's (PNG), and its --modules row says that verdicts and
# comparisons follow the modules named, as the tool does (test_plot 1g), and
# the chart kinds it lists per suite scenario are harness/suite.c's.
# usage: test_plot_doc.sh SOURCE_DIR
set -u
src=$1
doc=$src/docs/plots.md hdr=$src/harness/plot.h cmds=$src/harness/commands.h
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "check failed: $*" >&2; }

for name in $(grep -o '\b\(as_plot_[a-z_]*\|AS_PLOT_[A-Z_0-9]*\)\b' "$doc" | sort -u); do
  if grep -q "\b$name\b" "$hdr" "$cmds"; then ok; else bad "docs/plots.md names $name, plot.h has no such name"; fi
done

# as_plot_dir(DIR, opts, &result): three arguments in every call shown
calls=$(grep -o 'as_plot_dir([^)]*)' "$doc")
if [ -n "$calls" ]; then ok; else bad "docs/plots.md shows no as_plot_dir call"; fi
while IFS= read -r call; do
  [ -z "$call" ] && continue
  commas=$(printf '%s' "$call" | tr -cd ',' | wc -c)
  if [ "$commas" -eq 2 ]; then ok; else bad "'$call': plot.h's as_plot_dir takes three arguments"; fi
done <<< "$calls"

# formats 0: plot.h says PNG
if grep -q '0 means AS_PLOT_PNG' "$hdr"; then
  if grep -n 'all formats' "$doc" | grep -q 'as_plot_opts_t\|{0}'; then
    bad "docs/plots.md: a zeroed as_plot_opts_t draws all formats; plot.h: formats 0 means PNG"
  else ok; fi
fi

# --modules: verdicts and comparisons follow the modules named
row=$(grep '^| `--modules' "$doc")
case $row in
  *"shown whole"*) bad "--modules row: verdicts and comparisons are not shown whole" ;;
  *[Vv]erdicts*) ok ;;
  *) bad "--modules row says nothing of verdicts and comparisons" ;;
esac

# the chart kinds each scenario's scenarios.csv row lists (harness/suite.c
# .charts), as the doc's "(threshold: `...`; ...; bump and phase: `time`;
# ...)" list gives them (until session 31 it gave phase `time`, which draws
# pass_time, and left out mmapcost)
list=$(tr '\n' ' ' <"$doc" | grep -o '(threshold: `[^)]*)' | head -1)
if [ -n "$list" ]; then ok; else bad "docs/plots.md: no list of each scenario's chart kinds"; fi
doclist=$(sed 's/^(//; s/)$//' <<<"$list" | tr ';' '\n' | while IFS= read -r part; do
  names=${part%%:*} charts=${part#*\`}; charts=${charts%%\`*}
  for n in $(sed 's/,/ /g; s/ and / /g' <<<"$names"); do echo "$n $charts"; done
done | sort)
code=$(awk '/^static const as_scenario_t sc_/ {n = ""} /^    \.name = "/ {split($0, a, "\""); n = a[2]}
  /^    \.charts = "/ {split($0, a, "\""); print n, a[2]}' "$src/harness/suite.c" | sort)
if [ -n "$code" ] && [ "$doclist" = "$code" ]; then ok
else bad "docs/plots.md's scenario chart kinds differ from harness/suite.c: $(diff <(echo "$doclist") <(echo "$code") | grep '^[<>]' | tr '\n' ';')"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
