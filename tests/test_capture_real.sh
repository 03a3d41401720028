#!/bin/sh
# test_capture_real.sh CLI SRC [SANITIZED] - `allocscope capture` of real programs
# (sqlite3 building and indexing a table; python3 with PYTHONMALLOC=malloc,
# json on one thread and on four), spool kept: the converted trace's
# per-op counts, thread count, peak and end live bytes (trace stats) equal
# tests/spool_count.py's independent count of the same spool, nothing lost
# or repaired; and the conversion's memory (the capture line "N MiB of
# memory at most (B bytes/event)") is at most 16 bytes/event (not checked
# when SANITIZED is 1: the sanitizers' own memory counts there). Then a
# python3 killed from outside with SIGKILL mid-run (its 20000 bytearrays
# made, sleeping): all 20000 allocations are in the trace, nothing lost.
# "big": python3 keeping 20000 bytearray(7777) (sparse big blocks: 2-4
# blocks per 16 KiB) and exiting: conversion memory <= 16 bytes/event too.
# Exits 77 when sqlite3 or python3 is missing.
set -u
cli=$1
src=$2
sanitized=${3:-0}
py=/usr/bin/python3
command -v sqlite3 >/dev/null && [ -x "$py" ] || {
	echo "skipped: needs sqlite3 and /usr/bin/python3"
	exit 77
}
tmp=$(mktemp -d /tmp/as_capture_real.XXXXXX)
fail=0
pass=0
ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}

# check NAME CMD...: capture CMD with the spool kept, compare
check() {
	name=$1
	shift
	if ! "$cli" capture -o "$tmp/$name.ast" --fork exclude --keep-spool -- "$@" \
		>"$tmp/$name.out" 2>&1; then
		bad "$name: capture failed"
		cat "$tmp/$name.out"
		return
	fi
	compare "$name" 16
}

# compare NAME MAX_BPE: the capture in $tmp/NAME.out against the independent
# count of its kept spool; conversion memory <= MAX_BPE bytes/event (- : not
# checked)
compare() {
	name=$1
	max_bpe=$2
	spooldir=$(sed -n 's/^spool kept in //p' "$tmp/$name.out")
	spool=$(ls -S "$spooldir"/*.spool | head -1)
	"$py" "$src/tests/spool_count.py" "$spool" >"$tmp/$name.want" || {
		bad "$name: spool_count.py failed"
		return
	}
	"$cli" trace stats "$tmp/$name.ast" >"$tmp/$name.stats" 2>&1 || {
		bad "$name: trace stats failed"
		return
	}
	awk '
	/^  (alloc|calloc|realloc|free|free_unknown) / { print $1, $2 }
	/^threads:/ { print "threads", $2 }
	/^peak live:/ { print "peak_live", $3 }
	/^live at end:/ { print "live_end", $4 }' "$tmp/$name.stats" >"$tmp/$name.got"
	# the line under TRACE's own (an `env` before the program has its own)
	echo "lost $(awk -v t="$tmp/$name.ast:" '$1 == t { getline; sub(/,.*/, "");
		print $3 }' "$tmp/$name.out")" >>"$tmp/$name.got"
	echo "bad_pairs 0" >>"$tmp/$name.got"
	if diff "$tmp/$name.want" "$tmp/$name.got" >"$tmp/$name.diff"; then
		ok
	else
		bad "$name: trace differs from the independent count of its spool (want < > got):"
		cat "$tmp/$name.diff"
	fi
	grep -q "lost records 0, torn 0, bad 0; repaired: 0 allocations at a live address, 0 reallocs" \
		"$tmp/$name.out" && ok || bad "$name: $(grep 'lost records' "$tmp/$name.out")"
	events=$(awk '$1 == "alloc" || $1 == "calloc" || $1 == "realloc" || $1 == "free" ||
		$1 == "free_unknown" { n += $2 } END { print n }' "$tmp/$name.want")
	bpe=$(sed -n 's/.* MiB of memory at most (\([0-9.]*\) bytes\/event).*/\1/p' "$tmp/$name.out")
	if [ "$sanitized" = 1 ] || [ "$max_bpe" = - ]; then
		echo "$name: conversion memory not checked"
	elif [ -n "$bpe" ] && awk "BEGIN { exit !($bpe <= $max_bpe) }"; then
		ok
	else
		bad "$name: conversion memory '${bpe:-not printed}' bytes/event (target <= $max_bpe)"
	fi
	echo "$name: $events events, conversion ${bpe:-?} bytes/event; counts equal: $(tr '\n' ' ' <"$tmp/$name.want")"
	rm -rf "$spooldir"
}

"$py" - "$tmp" <<'PY'
import sys
d = sys.argv[1]
with open(d + "/t.sql", "w") as f:
    f.write("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, tag TEXT);\nBEGIN;\n")
    for i in range(5000):
        f.write("INSERT INTO t(name,tag) VALUES('name-%d-%s','tag%d');\n" % (i, "x" * (i % 50), i % 97))
    f.write("COMMIT;\nCREATE INDEX ti ON t(tag);\nDELETE FROM t WHERE id % 5 = 0;\nVACUUM;\n")
with open(d + "/j.py", "w") as f:
    f.write("""import json, sys, threading
def work(n):
    data = [{"id": i, "name": "item-%d" % i, "v": [i, i + 1]} for i in range(n)]
    json.loads(json.dumps(data))
nt = int(sys.argv[1])
ts = [threading.Thread(target=work, args=(8000 // nt,)) for _ in range(nt)]
for t in ts: t.start()
for t in ts: t.join()
""")
with open(d + "/b.py", "w") as f:
    f.write("keep = [bytearray(7777) for _ in range(20000)]\nprint(len(keep))\n")
with open(d + "/k.py", "w") as f:
    f.write("""import os, sys, time
keep = [bytearray(7777) for _ in range(20000)]
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(os.getpid()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(600)
""")
PY

check sqlite3 sqlite3 :memory: ".read $tmp/t.sql"
check python1 env PYTHONMALLOC=malloc "$py" "$tmp/j.py" 1
check python4 env PYTHONMALLOC=malloc "$py" "$tmp/j.py" 4
check big env PYTHONMALLOC=malloc "$py" "$tmp/b.py"
grep -q '^threads: *[2-9]' "$tmp/python4.stats" && ok ||
	bad "python4: the trace has one thread"

# killed: python3 makes 20000 bytearray(7777) (a malloc(7778) each), says
# so by writing its pid, then sleeps until SIGKILL from here. What it
# recorded is all in the trace, though nothing ran in it after the kill.
"$cli" capture -o "$tmp/killed.ast" --fork exclude --keep-spool -- \
	env PYTHONMALLOC=malloc "$py" "$tmp/k.py" "$tmp/k.pid" >"$tmp/killed.out" 2>&1 &
cap=$!
i=0
while [ ! -f "$tmp/k.pid" ] && [ $i -lt 1200 ]; do
	sleep 0.25
	i=$((i + 1))
done
if [ -f "$tmp/k.pid" ]; then
	kill -KILL "$(cat "$tmp/k.pid")"
	wait $cap
	rc=$?
	[ $rc = 1 ] && grep -q "signal 9" "$tmp/killed.out" && ok ||
		bad "killed: capture exit $rc, not the program's SIGKILL: $(cat "$tmp/killed.out")"
	compare killed -
	"$cli" trace convert "$tmp/killed.ast" "$tmp/killed.csv" >/dev/null 2>&1
	n=$(awk -F, '$1 == "malloc" && $4 == 7778' "$tmp/killed.csv" | wc -l)
	[ "$n" -eq 20000 ] && ok || bad "killed: $n of 20000 malloc(7778) in the trace"
else
	kill $cap
	bad "killed: python3 did not start in 300 s"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && rm -rf "$tmp"
[ "$fail" -eq 0 ]
