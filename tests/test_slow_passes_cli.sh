#!/usr/bin/env bash
# test_slow_passes_cli.sh - repetitions slow in every pass are counted and
# said, not hidden: `run -r 8` of tests/mods/slowmod.c, whose every op is
# slower in 1 instance of 4 (a counter file), so 2 of the group's
# repetitions run every pass several times slower than the rest, as
# tcmalloc's larson trials did on the idle machine (docs/measure.md "A whole
# trial slow"). summary.csv's reps_slow_passes counts them (the statistics
# keep them: the spread stays over 1.5), summary.json has the
# key, bench/spread.sh prints it, and the console names the group. Skipped (77) when the machine
# disturbed a repetition (another process took the CPU: the disturbed are
# left out first, so the count is not the test's to predict).
# usage: test_slow_passes_cli.sh ALLOCSCOPE SLOWMOD_SO
set -u
as=$1 mod=$2
. "$(dirname "$0")/cli_expect.sh"
export CI=1
col() { # col FILE NAME: that column of every row
  awk -F, -v n="$2" 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == n) c = i; next} {print c ? $c : ""}' "$1"
}

SLOWMOD_COUNT=$tmp/count "$as" run --no-plot -a "$mod" -w larson:ops=1000 -t 1 -r 8 --min-time 0.25 \
  --force -o "$tmp/d" >"$tmp/run.out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok || { bad "run exit $rc:"; sed 's/^/  | /' "$tmp/run.out" >&2; }
head -1 "$tmp/d/summary.csv" | grep -qE ',reps_slow_passes(,|$)' && ok ||
  bad "summary.csv: no reps_slow_passes column: $(head -1 "$tmp/d/summary.csv")"
grep -q '"reps_slow_passes"' "$tmp/d/summary.json" && ok || bad "summary.json: no reps_slow_passes"
# the slow ones by their own figures: ns/op >= 3 x the fastest repetition's
# (the extra work makes them about 9 x); of those, the ones with pass figures
# (2 passes or more: a sanitizer's build can make a slow pass outlast
# --min-time) by their median pass
fig() { # fig COLUMN: how many rows have COLUMN >= 3 x its smallest value
  awk -F, -v n="$1" 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
    $c[n] != "" {p[NR] = $c[n]; if (!m || p[NR] < m) m = p[NR]}
    END {for (i in p) k += p[i] >= 3 * m; print k + 0}' "$tmp/d/trials.csv"
}
[ "$(fig ns_per_op)" -ge 1 ] && ok || bad "no repetition slow: the module's counter did not work"
slow=$(fig pass_ns_median)
# bench/spread.sh prints the count beside the spreads ('?': not judged)
want=$(col "$tmp/d/summary.csv" reps_slow_passes)
"$(dirname "$0")/../bench/spread.sh" "$tmp/d" >"$tmp/spread.out" 2>&1
awk -v w="${want:-?}" '$1 == "larson:ops=1000" {f = 1; if ($8 != w) x = 1}
  END {exit x || !f}' "$tmp/spread.out" && head -1 "$tmp/spread.out" | awk '{exit $8 != "slowp"}' && ok ||
  { bad "spread.sh: no slowp ${want:-?}:"; sed 's/^/  | /' "$tmp/spread.out" >&2; }
dist=$(col "$tmp/d/summary.csv" reps_disturbed)
if [ "$dist" != 0 ]; then
  echo "skipped: the machine disturbed $dist repetition(s) (busy): $pass passed, $fail failed"
  [ "$fail" -eq 0 ] && exit 77 || exit 1
fi
n=$(col "$tmp/d/summary.csv" reps_slow_passes)
[ "$n" = "$slow" ] && ok || bad "reps_slow_passes '$n', $slow repetitions slow in every pass"
sp=$(col "$tmp/d/summary.csv" ns_per_op_spread_undisturbed)
awk -v s="$sp" 'BEGIN {exit !(s > 1.5)}' && ok || bad "spread $sp: the slow repetitions not kept"
if [ "$slow" -ge 1 ]; then
  grep -qE "^\(slow in every pass: $slow undisturbed repetition\(s\) in 1 group\(s\).*larson:ops=1000 t1 [^ ]*slowmod[^ ]* $slow; summary.csv reps_slow_passes\)" "$tmp/run.out" && ok ||
    { bad "no slow-in-every-pass line:"; sed 's/^/  | /' "$tmp/run.out" >&2; }
else
  grep -q '^(slow in every pass' "$tmp/run.out" && bad "a slow-in-every-pass line with none counted" || ok
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
