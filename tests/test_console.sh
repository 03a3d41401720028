#!/usr/bin/env bash
# test_console.sh - what a person at a terminal sees during a suite (issue
# 16): the suite runs under a pseudo-terminal 80 columns wide, and its
# output is checked:
#   - one progress bar for the whole suite: every redraw counts against the
#     same total, the count never goes back, it ends at the total, and no
#     line ends between the first and the last redraw (a bar that restarts
#     per scenario fails all of these);
#   - every scenario is named in the bar; no redrawn line is wider than the
#     terminal (a wrapped line cannot be redrawn in place);
#   - a reason several modules share is one line per scenario that names
#     them all (not one line per module);
#   - without a terminal (CI=1) there is no bar at all.
# usage: test_console.sh ALLOCSCOPE
set -u
as=$1
. "$(dirname "$0")/cli_expect.sh"
command -v python3 >/dev/null || {
  echo "skipped: python3 not found (it provides the pseudo-terminal)"
  exit 77
}

# suite classic: 4 scenarios with 2 threads each; bump and null are not
# thread-safe (skipped at 2 threads) and have no individual free (a note)
python3 - "$as" "$tmp/pty.out" "$tmp/suite" <<'EOF'
import fcntl, os, pty, struct, sys, termios
prog, out, folder = sys.argv[1:4]
env = dict(os.environ)
env.pop("CI", None)
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 80, 0, 0))
    os.execve(prog, [prog, "suite", "classic", "--quick", "--no-plot", "-a",
                     "glibc,bump,null", "-o", folder], env)
data = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
_, status = os.waitpid(pid, 0)
open(out, "wb").write(data)
sys.exit(os.waitstatus_to_exitcode(status))
EOF
rc=$?
if [ "$rc" -eq 0 ]; then ok; else bad "suite under a pty exited $rc"; fi

python3 - "$tmp/pty.out" > "$tmp/check" 2>&1 <<'EOF'
import re, sys
raw = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
bars = [(m.start(), int(m.group(1)), int(m.group(2)))
        for m in re.finditer(r"\r\[[# ]{10,30}\] (\d+)/(\d+)  ETA ", raw)]
fail = []
if len(bars) < 10:
    fail.append("only %d bar redraws" % len(bars))
else:
    totals = {t for _, _, t in bars}
    if len(totals) != 1:
        fail.append("bar totals differ (a bar per scenario): %s" % sorted(totals))
    pos = [p for _, p, _ in bars]
    if pos != sorted(pos):
        fail.append("the count goes back: %s" % pos)
    if pos[0] != 0 or pos[-1] != bars[-1][2]:
        fail.append("count from %d to %d of %d" % (pos[0], pos[-1], bars[-1][2]))
    between = raw[bars[0][0]:bars[-1][0]]
    if "\n" in between:
        fail.append("a line ends between the first and last redraw: %r"
                    % between[between.index("\n") - 80:between.index("\n") + 40])
    for k in range(1, 5):
        if "scenario %d/4 " % k not in raw:
            fail.append("scenario %d/4 not in the bar" % k)
    for seg in raw.split("\r"):
        line = seg.replace("\x1b[K", "").split("\n")[0]
        if line.startswith("[") and len(line) >= 80:
            fail.append("a redraw of %d columns: %r" % (len(line), line))
            break
text = raw.replace("\r", "")
for what, n in (("not thread-safe", 4), ("no individual free", 4)):
    lines = [l for l in text.split("\n") if what in l]
    if len(lines) != n:
        fail.append("%d lines say '%s' (want %d, one per scenario): %s"
                    % (len(lines), what, n, lines))
    for l in lines:
        if "bump" not in l or "null" not in l:
            fail.append("line does not name bump and null: %r" % l)
if re.search(r"results: \S+/(larson|xmalloc|cache|benchmt)/", text):
    fail.append("a results line per scenario")
print("\n".join(fail))
sys.exit(1 if fail else 0)
EOF
if [ $? -eq 0 ]; then ok; else bad "console output:"; sed 's/^/  | /' "$tmp/check" >&2; fi

# no terminal: no bar, the same one line per reason
CI=1 "$as" suite classic --quick --no-plot -a glibc,bump,null -o "$tmp/ci" >"$tmp/ci.out" 2>&1
if ! grep -q "ETA" "$tmp/ci.out" && [ "$(grep -c "not thread-safe" "$tmp/ci.out")" -eq 4 ]; then
  ok
else
  bad "CI=1: a bar or not one line per reason:"
  sed 's/^/  | /' "$tmp/ci.out" >&2
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
