#!/usr/bin/env bash
# test_skip_codes.sh - every ctest entry reports exit 77 as a skip
# (SKIP_RETURN_CODE 77, set at the end of tests/CMakeLists.txt), so a test
# that cannot run here shows as skipped, never as failed or passed. An entry
# registered after that line would miss it: this lists any such entry.
# Usage: test_skip_codes.sh BUILD_DIR
set -u
cd "$1" || exit 1
ctest --show-only=json-v1 | python3 -c '
import json, sys
tests = json.load(sys.stdin)["tests"]
bad = [t["name"] for t in tests
       if {p["name"]: p["value"] for p in t.get("properties", [])}.get("SKIP_RETURN_CODE") != 77]
for n in bad:
    print("FAILED: %s has no SKIP_RETURN_CODE 77 (register it before the line that sets it)" % n)
print("%d passed, %d failed" % (len(tests) - len(bad), len(bad)))
sys.exit(1 if bad or not tests else 0)'
