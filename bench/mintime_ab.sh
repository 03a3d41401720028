#!/usr/bin/env bash
# mintime_ab.sh - the earlier name of bench/suite_mintime.sh with its
# earlier defaults (2 rounds; scenarios bump, phase and classic, the four
# classic benchmarks in one `suite classic`). Kept so the commands in
# docs/measure.md of session 8 still run; the report is suite_mintime.sh's.
# Usage: bench/mintime_ab.sh BUILD_DIR OUT_DIR [PAIRS] [A] [B] [SCENARIOS]
set -euo pipefail
exec "$(dirname "$0")/suite_mintime.sh" "${1:?usage: mintime_ab.sh BUILD_DIR OUT_DIR [PAIRS] [A] [B] [SCENARIOS]}" \
  "${2:?usage: mintime_ab.sh BUILD_DIR OUT_DIR [PAIRS] [A] [B] [SCENARIOS]}" "${3:-2}" "${4:-0.05}" \
  "${5:-0.02}" "${6:-bump phase classic}"
