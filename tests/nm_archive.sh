# nm_archive.sh - sourced by the tests that read the harness archive's
# symbol tables (test_call_circles.sh, test_lib_prints.sh) with the archive
# as $1: skipped (exit 77) without nm, python3 or the archive; sets lib.
set -u
lib=$1
command -v nm >/dev/null 2>&1 || { echo "skipped: no nm"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skipped: no python3"; exit 77; }
[ -s "$lib" ] || { echo "skipped: $lib not built"; exit 77; }
