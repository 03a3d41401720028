#!/usr/bin/env bash
# suite_budget.sh - the evidence for the suite's default --budget: the whole
# default suite (memory scenarios, timing scenarios and charts, as a user
# runs it) at two --budget values, interleaved (the order alternates round
# by round), reported by bench/suite_mintime.sh: wall time, trials, timed
# seconds, verdict counts, claims whose verdict is not the same at both
# values, verdicts that differ from a reference run's (REF, default the
# lead's idle suite of e93540d, /tmp/idle9/suite/verdicts.csv: 24 confirmed
# and tcmalloc's benchmt t2/t1 refuted), rankings that differ, the median
# 95 % CI width (and half-width) of ns/op, and what stopped each scenario's
# repetitions (the "groups stopped" lines). One round of the default suite
# at 165 and 60 is ~2.7 min on the idle 2-core machine; each call appends
# its rounds to OUT, so call it once a slot and the report covers all.
# Usage: bench/suite_budget.sh BUILD_DIR OUT_DIR [ROUNDS] [A] [B] [SCENARIOS]
#   defaults: ROUNDS 1, A 165 (the default until session 10), B 60 (the
#   default since), SCENARIOS default (the whole suite; a scenario's name
#   runs only it, with the budget all its own); PLOT=0 skips the charts
#   (then no chart time is kept back from the budget). ROUNDS 0: report only.
set -euo pipefail
here=$(dirname "$0")
[ $# -ge 2 ] || { echo "usage: suite_budget.sh BUILD_DIR OUT_DIR [ROUNDS] [A] [B] [SCENARIOS]" >&2; exit 2; }
ref=${REF-/tmp/idle9/suite/verdicts.csv}
[ -z "$ref" ] || [ -f "$ref" ] || ref=
KNOB=budget PLOT=${PLOT:-1} REF=$ref exec "$here/suite_mintime.sh" "$1" "$2" "${3:-1}" "${4:-165}" \
  "${5:-60}" "${6:-default}"
