#!/bin/sh
# test_report_html.sh - report.html in a real browser. Plots the fixture
# (with the verdicts fixture), opens report.html in headless Chromium and
# checks: the page has the verdicts and every chart of report.md as an
# image, the browser logged no console message and no failed load, every
# image decoded (a copy of the page with a checking script added), and a
# screenshot of it is not blank. Exits 77 (skipped) without chromium or
# gnuplot. Usage: test_report_html.sh ALLOCSCOPE SOURCE_DIR
# With ALLOCSCOPE_HTML_CHECK_DIR=DIR: the same checks on the report.html that
# `allocscope plot DIR` wrote (e.g. a whole default suite), instead of the
# fixture's (read only: the page is copied).
set -eu
cli=$1
src=$2
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "skipped: chromium not installed (scripts/quickstart test installs it)"
  exit 77
fi
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "skipped: gnuplot not installed"
  exit 77
fi
tmp=$(mktemp -d /tmp/as_test_html.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESCRIPTION COMMAND...
  what=$1
  shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}

dir=${ALLOCSCOPE_HTML_CHECK_DIR:-}
if [ -n "$dir" ]; then
  [ -f "$dir/report.html" ] || { echo "FAIL: no $dir/report.html (plot it first)"; exit 1; }
  mkdir "$tmp/run"
  cp "$dir/report.html" "$dir/report.md" "$tmp/run/"
else
  cp -r "$src/tests/fixtures/results-small" "$tmp/run"
  cp "$src/tests/fixtures/verdicts/"*.csv "$tmp/run/"
  "$cli" plot "$tmp/run" -q
fi
charts=$(grep -c '^!\[' "$tmp/run/report.md")
echo "report.md has $charts charts"

# as root the sandbox cannot start: --no-sandbox (the page is our own file)
browse() { # browse OUT_ARGS... URL
  timeout 180 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-dev-shm-usage --disable-background-networking --disable-sync \
    --user-data-dir="$tmp/profile" --enable-logging=stderr --v=1 \
    --virtual-time-budget=5000 "$@"
}
browse --dump-dom "file://$tmp/run/report.html" >"$tmp/dom.html" 2>"$tmp/log.txt"
check "the page has the verdicts" grep -q '<h2 id="verdicts">' "$tmp/dom.html"
if [ -z "$dir" ]; then
  check "the page has the refuted claim" grep -q '<strong>REFUTED</strong>' "$tmp/dom.html"
fi
imgs=$(grep -o '<img [^>]*src="data:image/png;base64,' "$tmp/dom.html" | wc -l)
check "every chart is an inline image ($imgs of $charts)" [ "$imgs" -eq "$charts" -a "$charts" -gt 5 ]
check "no console message, no failed load" \
  sh -c "! grep -E 'CONSOLE|Failed to load|Uncaught|Not allowed to load' '$tmp/log.txt'"
# the browser's loader log (--v=1): the page is the only file it loaded
loads=$(grep -c 'FileURLLoader::Start' "$tmp/log.txt" || true)
check "nothing loaded but the page itself ($loads file loads)" [ "$loads" -eq 1 ]
check "nothing loaded from the network" sh -c "! grep -E 'URLLoader.*https?://' '$tmp/log.txt'"

# every image decoded: the same page with a script that counts them
sed 's|</body>|<script>addEventListener("load", () => { let n = 0, bad = 0; for (const i of document.images) { n++; if (!i.complete \|\| i.naturalWidth < 100) bad++; } document.body.dataset.images = n + " " + bad; });</script></body>|' \
  "$tmp/run/report.html" >"$tmp/run/check.html"
browse --dump-dom "file://$tmp/run/check.html" >"$tmp/dom2.html" 2>/dev/null
check "every image decoded ($charts 0)" grep -q "data-images=\"$charts 0\"" "$tmp/dom2.html"

# a screenshot that is not blank: a white page of this size compresses
# to a few KB, the report's tables and charts to far more
browse --screenshot="$tmp/shot.png" --window-size=1200,2400 --hide-scrollbars \
  "file://$tmp/run/report.html" >/dev/null 2>&1
size=$(wc -c <"$tmp/shot.png" 2>/dev/null || echo 0)
check "the screenshot is not blank ($size bytes)" [ "$size" -gt 60000 ]

if [ "$fail" -ne 0 ]; then
  echo "--- browser log"
  grep -E "CONSOLE|Failed to load|Uncaught|Not allowed to load" "$tmp/log.txt" | head -5
  exit 1
fi
echo "all passed"
