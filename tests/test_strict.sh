#!/usr/bin/env bash
# test_strict.sh - `suite --strict` end to end on real measurements: a
# refuted claim is a result (exit 0) unless --strict (exit 1). The claim is
# refuted for real: glibc:mmap_threshold=4m (GLIBC_TUNABLES in the trial)
# serves 256 KiB blocks from the brk heap, so the threshold scenario's
# "256 KiB: freed and given back" (held share <= 0.1) meets a held share
# of about 1, and "256 KiB: own mmap, munmap per free" 0 munmap calls. A
# scenario whose claims hold passes with --strict.
# usage: test_strict.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
skip_glibc_claims
export CI=1

# claims that hold: exit 0 with --strict, nothing refuted
expect 0 "verdicts: [1-9][0-9]* confirmed, 0 refuted" suite lazy --quick --no-plot -a glibc \
  --strict -o "$tmp/lazy"

# the same claim refuted by glibc's own behaviour, without and with --strict
# (a -a param: the caller's GLIBC_TUNABLES is kept out of the trials)
g=glibc:mmap_threshold=4m
expect 0 "verdicts: [0-9]+ confirmed, 2 refuted" suite threshold --quick --no-plot -a $g \
  -o "$tmp/plain"
refuse 0 "--strict" suite threshold --quick --no-plot -a $g -o "$tmp/plain2"
expect 1 "^--strict: a claim was refuted" suite threshold --quick --no-plot -a $g --strict \
  -o "$tmp/strict"
# the refutation is the measurement: verdicts.csv says REFUTED with a held
# share near 1, and headline.csv has the same number
for d in plain strict; do
  row=$(grep -E '^threshold,"threshold:size=256k,total=4m",glibc:mmap_threshold=4m,256 KiB: freed and given back,' "$tmp/$d/verdicts.csv")
  if echo "$row" | grep -qE ',REFUTED,' &&
    awk -F, '{ exit !($(NF-5) + 0 > 0.9) }' <<<"$row"; then ok; else
    bad "$d: verdicts.csv row: $row"
  fi
done
if grep -qE '^threshold,size=256k,threshold,"size=256k,total=4m",1,glibc:mmap_threshold=4m,[^,]+,(0\.9[0-9]*|1(\.0*)?),' \
  "$tmp/strict/threshold/headline.csv"; then ok; else
  bad "headline.csv:"; cat "$tmp/strict/threshold/headline.csv" >&2
fi

# a time from one repetition: INCONCLUSIVE, "no interval" (not "nan-nan"),
# and --strict is not failed by it
expect 0 "INCONCLUSIVE +glibc +tens of ns per op, not hundreds +<= 100 +[0-9.]+ \(no interval\) +1" \
  suite benchmt --quick --no-plot -a glibc --strict -o "$tmp/bm"
refuse 0 "nan" suite benchmt --quick --no-plot -a glibc --strict -o "$tmp/bm2"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
