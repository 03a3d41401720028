#!/usr/bin/env bash
# test_plot_unwritable.sh - `allocscope plot DIR` where its charts cannot
# go: DIR/plots is a file, or DIR is not writable (a colleague's results,
# run as another user). One line per cause, exit 1 (DIR not writable, or
# -o such a folder: one line before anything is drawn, exit 2), and no
# "report: PATH" for a report that was not written. Until review-a each chart added a
# line of its own (10 for a small run: "chart time not drawn: " with the
# folder's reason, or with none at all), and the unwritten report was
# announced on stdout.
# usage: test_plot_unwritable.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
fix=$(dirname "$(readlink -f "$0")")/fixtures/results-small

# --- DIR/plots is a file: the report is written and says why -------------------
cp -r "$fix" "$tmp/pf" && rm -rf "$tmp/pf/plots" && echo x >"$tmp/pf/plots"
"$as" plot "$tmp/pf" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "plots a file: exit $rc, want 1"
n=$(wc -l <"$tmp/err")
# (until session 34 "plots/data: cannot create folder: Not a directory":
# mkdir took the file for the folder, and its subfolder failed)
[ "$n" -eq 1 ] && grep -q "pf/plots: exists and is not a folder" "$tmp/err" && ok ||
  { bad "plots a file: $n stderr lines, want 1 naming the folder:"; sed 's/^/  | /' "$tmp/err" | head -5 >&2; }
grep -q "^report: $tmp/pf/report.md" "$tmp/out" && ok || bad "plots a file: no report line: $(cat "$tmp/out")"
grep -q "Chart not drawn: .*plots: exists and is not a folder" "$tmp/pf/report.md" && ok || bad "plots a file: the report does not say why"

# --- DIR not writable (as uid 65534 when root) ----------------------------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
  asuser=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  nobody_cli
  nbas=$nbcli
  chmod 755 "$tmp"
  cp -r "$fix" "$tmp/ro" && chmod -R a+rX,go-w "$tmp/ro"
  "${asuser[@]}" "$nbas" plot "$tmp/ro" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  # one line before anything is drawn, exit 2 (until session 35 one line
  # for plots/, one for report.md, exit 1)
  [ "$rc" -eq 2 ] && ok || bad "read-only folder: exit $rc, want 2"
  if grep -q "not drawn: *$" "$tmp/err"; then bad "read-only folder: a line without its reason:"; sed 's/^/  | /' "$tmp/err" | head -3 >&2; else ok; fi
  n=$(wc -l <"$tmp/err")
  [ "$n" -eq 1 ] && grep -q "ro: cannot write in it: Permission denied (-o DIR draws the charts and report elsewhere)$" "$tmp/err" && ok ||
    { bad "read-only folder: $n stderr lines, want one naming the folder:"; sed 's/^/  | /' "$tmp/err" | head -5 >&2; }
  [ ! -s "$tmp/out" ] && ok || bad "read-only folder: stdout names a report that was not written: $(cat "$tmp/out")"
  # -o a folder it cannot write in: the same, naming -o (a folder without
  # results: one with them is refused for that, test_bad_input)
  mkdir "$tmp/ro-out" && chmod 755 "$tmp/ro-out"
  "${asuser[@]}" "$nbas" plot "$tmp/pf" -o "$tmp/ro-out" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "^allocscope plot: -o $tmp/ro-out: cannot write in it: Permission denied$" "$tmp/err" && ok ||
    { bad "plot -o a folder it cannot write in: exit $rc:"; sed 's/^/  | /' "$tmp/err" | head -5 >&2; }
else
  echo "skipped: the read-only case (not root, or no setpriv)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
