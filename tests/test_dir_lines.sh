#!/usr/bin/env bash
# test_dir_lines.sh - a results folder named with a space, a quote and a
# newline, as the console names it: `results: DIR/`, `report: FILE`, the
# `--resume DIR` hints of run, suite, compare and a resume refused, an
# error "DIR: why", and the report's title. Each stays one line, and the
# path in it is one shell word: the printed command, pasted into bash (here
# eval), works. Before, the folder was printed raw: the newline split the
# line and the pasted command named another folder.
# usage: test_dir_lines.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"

d="$tmp/my dir's"$'\n'"run"
s="$tmp/a suite's"$'\n'"dir"
run_args=(-a glibc -w random:ops=2000,live=100 --min-time 0 --latency 0)

# one_line FILE PATTERN WHAT [N]: FILE has N (1) lines matching PATTERN,
# and none that is the rest of a folder's name cut by its newline; the
# first is left in $line
one_line() {
  local n
  n=$(grep -c -- "$2" "$1")
  line=$(grep -- "$2" "$1" | head -1)
  [ "$n" -eq "${4:-1}" ] && ! grep -qE "^(run|dir)\b" "$1" && ok ||
    { bad "$3: $n lines match /$2/, or a line is cut:"; sed 's/^/  | /' "$1" >&2; }
}

# word_is WORD WANT WHAT: bash reads the shell word WORD as WANT
word_is() {
  local got
  eval "got=$1" 2>/dev/null
  [ "${got-}" = "$2" ] && ok || bad "$3: '$1' reads back as '${got-}', not '$2'"
}

# an interrupted run: its resume hint, pasted, finishes the run
"$as" run "${run_args[@]}" -r 300 \
  -o "$d" --no-plot -q >"$tmp/out" 2>"$tmp/err" &
interrupt_at $! "$d/trials.csv" 3
one_line "$tmp/err" 'resume with: allocscope run --resume ' "run's resume hint"
hint=${line#*resume with: allocscope }
[ "$rc" -eq 130 ] && ok || bad "the interrupted run exited $rc, not 130"

# compare names the unfinished folder and the command that finishes it
"$as" compare "$d" "$d" >/dev/null 2>"$tmp/cmp"
one_line "$tmp/cmp" 'is incomplete' "compare's warnings (A and B)" 2
cw=${line#*\`allocscope run --resume }
word_is "${cw%%\` finishes it)}" "$d" "compare's resume hint"

# the hint pasted into bash, `allocscope` being the CLI under test
eval "\"\$as\" $hint" >"$tmp/out" 2>"$tmp/err" && ok ||
  { bad "the pasted hint 'allocscope $hint' failed:"; sed 's/^/  | /' "$tmp/err" >&2; }
one_line "$tmp/out" '^results: ' "run's results line"
word_is "${line#results: }" "$d/" "run's results line"

# suite --resume on a run's folder: the run's own command, pasted
"$as" suite --resume "$d" >/dev/null 2>"$tmp/err"
one_line "$tmp/err" "it is a run's folder" "suite --resume's refusal"
word_is "${line##*: allocscope run --resume }" "$d" "suite --resume's hint"

# an error naming the folder: one line, the path one word
"$as" run "${run_args[@]}" -r 1 -o "$d" --no-plot -q >/dev/null 2>"$tmp/err"
one_line "$tmp/err" 'folder is not empty' "run -o on a used folder"
w=${line#allocscope*: }
word_is "${w%%: folder is not empty*}" "$d" "the error's folder"

# plot: the report line and the report's title
"$as" plot "$d" >"$tmp/out" 2>"$tmp/err"
one_line "$tmp/out" '^report: ' "plot's report line"
eval "rep=${line#report: }" 2>/dev/null
[ -f "${rep-}" ] && ok || bad "the report line names no file: $line"
head -1 "$d/report.md" >"$tmp/title"
word_is "$(sed -n 's/^# allocscope report: //p' "$tmp/title")" "my dir's"$'\n'"run" \
  "report.md's title"
[ "$(sed -n 2p "$d/report.md")" = "" ] && ok || bad "report.md's title is two lines"

# a suite: its results line; a scenario resumed alone names the suite
"$as" suite --quick -a glibc -o "$s" threshold >"$tmp/out" 2>"$tmp/err" ||
  bad "the suite failed: $(head -3 "$tmp/err")"
one_line "$tmp/out" '^results: ' "suite's results line"
w=${line#results: }
word_is "${w%% (scenarios.csv*}" "$s/" "suite's results line"
"$as" run --resume "$s/threshold" >/dev/null 2>"$tmp/err"
one_line "$tmp/err" 'resume the suite' "run --resume of a scenario"
word_is "${line##*resume the suite: allocscope suite --resume }" "$s" \
  "run --resume's suite hint"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
