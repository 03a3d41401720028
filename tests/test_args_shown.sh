#!/usr/bin/env bash
# test_args_shown.sh - a run's arguments (run.args) as the user sees them:
# context.csv's `command` and its row in report.md. An argument holding a
# space, a quote or a newline (-o "$tmp/a b<newline>c") stays one word on
# one line, and bash reads the line back as run.args. Before, the
# arguments were joined with spaces: the newline split the value over two
# lines of context.csv, report.md dropped it (`-o .../a bc`), and a space
# inside an argument could not be told from one between two.
# usage: test_args_shown.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
if ! command -v python3 >/dev/null 2>&1; then
  echo "skipped: no python3 to read context.csv"
  echo "0 passed, 0 failed"
  exit 77
fi

# the `command` value of DIR/context.csv (a CSV field: may hold newlines)
command_of() {
  python3 - "$1/context.csv" <<'PY'
import csv, sys
for row in csv.reader(open(sys.argv[1], newline="")):
    if row and row[0] == "command":
        sys.stdout.write(row[1])
PY
}

n=0
for out in "$tmp/a b"$'\n'"c" "$tmp/it's here" "$tmp/tab"$'\t'"and \\ back"; do
  n=$((n + 1))
  "$as" run -q -a glibc -w random:ops=2000,live=100 -r 1 --min-time 0 --latency 0 \
    -o "$out" >/dev/null 2>"$tmp/err$n" || { bad "run $n: $(cat "$tmp/err$n")"; continue; }
  cmd=$(command_of "$out")
  case $cmd in
    *$'\n'*) bad "case $n: context.csv command is on two lines: $cmd" ;;
    *) ok ;;
  esac
  # bash reads the line back as the run's own arguments, word for word
  eval "set -- $cmd" 2>/dev/null
  printf '%s\0' "$@" >"$tmp/words$n"
  { printf 'run\0'; cat "$out/run.args"; } >"$tmp/want$n"
  cmp -s "$tmp/words$n" "$tmp/want$n" && ok ||
    bad "case $n: the command line '$cmd' is not run.args: $(tr '\0' '|' <"$tmp/words$n")"
  # report.md: one table row, the same line
  rows=$(grep -c '^| command |' "$out/report.md")
  line=$(grep '^| command |' "$out/report.md")
  [ "$rows" -eq 1 ] && [ "$line" = "| command | $cmd |" ] && ok ||
    bad "case $n: report.md's command row: $(grep -A1 '^| command |' "$out/report.md")"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
