# cli_expect.sh - the check helpers shell tests of the CLI share (sourced):
# counters, ok/bad, and expect/refuse on an allocscope command's exit code
# and output. The sourcing script sets `as` (the CLI) first.
pass=0 fail=0
tmp=$(mktemp -d "/tmp/$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "check failed: $*" >&2; }
# expect RC PATTERN ARGS...: exit code RC and stdout+stderr matching PATTERN (grep -E)
expect() {
  local rc=$1 pat=$2 got
  shift 2
  "$as" "$@" >"$tmp/out" 2>&1
  got=$?
  if [ "$got" -eq "$rc" ] && grep -qE -- "$pat" "$tmp/out"; then ok; else
    bad "allocscope $*: exit $got (want $rc), output:"; sed 's/^/  | /' "$tmp/out" >&2
    echo "  (wanted /$pat/)" >&2
  fi
}
# refuse RC PATTERN ARGS...: as expect, and PATTERN must NOT appear
refuse() {
  local rc=$1 pat=$2 got
  shift 2
  "$as" "$@" >"$tmp/out" 2>&1
  got=$?
  if [ "$got" -eq "$rc" ] && ! grep -qE -- "$pat" "$tmp/out"; then ok; else
    bad "allocscope $*: exit $got (want $rc) or /$pat/ present:"; sed 's/^/  | /' "$tmp/out" >&2
  fi
}

# nobody_cli: sets nbcli to a path of the CLI that uid 65534 (setpriv, as
# root) can run: "$as" when it can reach it; else (a clone under /root,
# mode 0700: a bare Debian machine) a copy of the CLI with the module and
# preload folders it finds beside it, in $tmp, made reachable, and a copy of
# the chart scripts, exported as ALLOCSCOPE_PLOTS_DIR (until session 36 the
# copy drew no chart: "gnuplot scripts (style.gp) not found"). $tmp itself
# is opened to it. Called as is, not in $(...): the export must stay.
nb_plots=$(cd "$(dirname "${BASH_SOURCE[0]}")/../plots" && pwd)
nobody_cli() {
  local b
  chmod 755 "$tmp"
  nbcli=$as
  setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$as" && return
  b=$(dirname "$(dirname "$(readlink -f "$as")")")
  mkdir -p "$tmp/nb-cli/harness" "$tmp/nb-cli/allocators" "$tmp/nb-cli/lib"
  cp "$as" "$tmp/nb-cli/harness/" && cp "$b"/allocators/*.so "$tmp/nb-cli/allocators/" &&
    { [ ! -d "$b/lib/allocscope-preload" ] || cp -r "$b/lib/allocscope-preload" "$tmp/nb-cli/lib/"; } &&
    cp -r "$nb_plots" "$tmp/nb-cli/plots" &&
    export ALLOCSCOPE_PLOTS_DIR=$tmp/nb-cli/plots
  chmod -R a+rX "$tmp/nb-cli"
  nbcli=$tmp/nb-cli/harness/allocscope
}

# nobody_setup: as root with setpriv, "${asuser[@]}" CMD runs CMD as uid
# 65534 (whom perf refuses) and $nbas is a CLI it can run; otherwise both
# leave the caller as it is. $nb is a folder in $tmp anyone may write.
nobody_setup() {
  asuser=() nbas=$as
  if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
    asuser=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    nobody_cli
    nbas=$nbcli
  fi
  nb=$tmp/nobody
  mkdir -p "$nb" && chmod 777 "$tmp" "$nb"
}

# skip WHY...: a visible skip (exit 77) when no check has failed so far;
# after a failed check exit 1, so that a skip decided late (a busy
# machine seen in the results) never hides a failure found before it
skip() {
  echo "skipped: $*"
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ] && exit 77
  echo "not skipped: $fail check(s) failed before the reason to skip" >&2
  exit 1
}

# skip_glibc_claims: exit 77 (skipped) in the sanitizer build, where ASan's
# allocator stands in for glibc's malloc (no tunable, no threshold, other
# page counts), so claims about glibc's malloc cannot be checked
skip_glibc_claims() {
  if [ -n "${ALLOCSCOPE_SANITIZED:-}" ]; then
    echo "skipped: sanitizer build (glibc's malloc is replaced by ASan's)"
    echo "0 passed, 0 failed"
    exit 77
  fi
}

# interrupt_at PID FILE ROWS: SIGINT to PID once FILE holds ROWS non-empty
# lines (or after 20 s), then wait for it: its exit status in rc
interrupt_at() {
  local pid=$1 file=$2 rows=$3
  for _ in $(seq 200); do
    [ "$(grep -c . "$file" 2>/dev/null)" -ge "$rows" ] 2>/dev/null && break
    sleep 0.1
  done
  kill -INT "$pid"
  wait "$pid"
  rc=$?
}
