#!/usr/bin/env bash
# test_plot_full_disk.sh - `allocscope plot` on a disk that fills while
# gnuplot draws (a file-size limit of 40 KiB, SIGXFSZ ignored as allocscope
# ignores it: the bigger PNGs are cut). gnuplot reports no failed write, so
# until session 25 a cut PNG stayed in plots/ and report.md showed it as a
# chart. Now: every file left in plots/ is whole, the report says which
# charts were not drawn, the command exits 1 and says why; a run that
# draws its charts on such a disk exits 2.
# usage: test_plot_full_disk.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"
fix=$(dirname "$(readlink -f "$0")")/fixtures/results-small
command -v gnuplot >/dev/null || { echo "skipped: no gnuplot"; echo "0 passed, 0 failed"; exit 77; }

cp -r "$fix" "$tmp/r" && rm -rf "$tmp/r/plots"
(trap '' XFSZ; ulimit -f 40; "$as" plot "$tmp/r" --format png,svg >"$tmp/out" 2>"$tmp/err")
rc=$?
[ "$rc" -eq 1 ] && ok || bad "exit $rc, want 1"
grep -q "cut short" "$tmp/err" && ok || { bad "no line says a chart was cut:"; sed 's/^/  | /' "$tmp/err" | head -5 >&2; }
cut=0
for f in "$tmp"/r/plots/*.png; do
  [ "$(tail -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = "49454e44ae426082" ] || { cut=1; bad "cut PNG left: ${f##*/} ($(stat -c %s "$f") bytes)"; }
done
for f in "$tmp"/r/plots/*.svg; do
  tail -c 16 "$f" | grep -q "</svg>" || { cut=1; bad "cut SVG left: ${f##*/}"; }
done
[ "$cut" -eq 0 ] && ok
# the report shows only charts that are there, whole
if [ -f "$tmp/r/report.md" ]; then
  miss=0
  for img in $(grep -o '(plots/[^)]*\.png)' "$tmp/r/report.md" | tr -d '()'); do
    [ -s "$tmp/r/$img" ] || { miss=1; bad "report.md shows $img, which is not there"; }
  done
  [ "$miss" -eq 0 ] && ok
  grep -q "not drawn" "$tmp/r/report.md" && ok || bad "report.md says no chart was left out"
else
  bad "no report.md"
fi

# --- a run whose results fit but whose charts and report do not: exit 2 ------
# (until session 25 exit 0: the plot's failures never changed run's code)
(trap '' XFSZ; ulimit -f 24; "$as" run -a null -r 1 -w random:ops=2000 -o "$tmp/run" >"$tmp/out" 2>"$tmp/err")
rc=$?
[ "$rc" -eq 2 ] && grep -qE "cut short|cannot write" "$tmp/err" && ok ||
  { bad "run: exit $rc, want 2 saying what was not written:"; sed 's/^/  | /' "$tmp/err" | head -3 >&2; }
[ "$(wc -l <"$tmp/run/trials.csv")" -eq 2 ] && ok || bad "run: its trials.csv is not whole"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
