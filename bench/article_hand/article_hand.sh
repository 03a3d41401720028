#!/usr/bin/env bash
# article_hand.sh - the suite's leak (trim threshold), mmapcost and phase
# claims measured by hand, outside allocscope: small C programs on plain
# glibc (malloc/free, sbrk(0), mallinfo2, /proc/self/statm, getrusage,
# clock_gettime), built here with cc. Why: the harness's figures for those
# claims should agree with what glibc does on its own; where they differ
# the difference is the harness's (see the mmapcost part).
#
#   a) leak_trim: 1 MiB malloc+free, 16 x 256 KiB, the top K freed in
#      ascending address order, from five start states: what brk gave back
#      and the free top (mallinfo2 keepcost) before and after, K = 6..9
#   b) mmapcost: 4000 fresh malloc(120 KiB) against malloc(256 KiB), each in
#      a fresh process, PAIRS pairs interleaved; per round, allocscope's
#      `suite mmapcost -a glibc` with its default --syscalls perf and with
#      --syscalls off; brk/mmap counts (perf stat or strace)
#   c) phase: 50 requests of 2000 log-normal objects, a bump arena's reset
#      against glibc's frees: RSS growth / peak live, ms per pass
#   d) the bare calls: sbrk(+128K)+sbrk(-128K) against mmap(256K)+munmap,
#      grow-only brk (240 KiB) and mmap (260 KiB), with and without a write
#      (a page fault) into each new piece
#
# usage: bench/article_hand/article_hand.sh           (from the repository or anywhere)
# env:   PARTS="a b c d"  PAIRS=9  ROUNDS=3  REPS=5 (runs of each c/d row)
#        ALLOCSCOPE=path  (default build/harness/allocscope of this checkout;
#        ALLOCSCOPE=none skips the harness runs in b)
#        KEEP=1 keeps the work folder (its path is printed)
# exit 77 when cc, glibc's mallinfo2 or /proc is missing.
set -euo pipefail

command -v cc > /dev/null || { echo "article_hand.sh: SKIP: no cc" >&2; exit 77; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -f "$here/leak_trim.c" ]; then src=$here; else src=$here/article_hand; fi
root=$here # the checkout: the first folder up with harness/ in it
while [ "$root" != / ] && [ ! -d "$root/harness" ]; do root=$(dirname "$root"); done
PARTS=${PARTS:-a b c d}
PAIRS=${PAIRS:-9}
ROUNDS=${ROUNDS:-3}
REPS=${REPS:-5}
N=4000
ALLOCSCOPE=${ALLOCSCOPE:-$root/build/harness/allocscope}

skip() { echo "article_hand.sh: SKIP: $*" >&2; exit 77; }
[ -r /proc/self/statm ] || skip "no /proc/self/statm"
for f in leak_trim.c mmapcost.c phase.c; do [ -f "$src/$f" ] || skip "no $src/$f"; done
work=$(mktemp -d /tmp/article_hand.XXXXXX)
if [ "${KEEP:-0}" = 1 ]; then echo "work folder: $work"; else trap 'rm -rf "$work"' EXIT; fi
printf '#include <malloc.h>\nint main(void){ return (int)mallinfo2().arena * 0; }\n' > "$work/probe.c"
if ! cc -o "$work/probe" "$work/probe.c" 2> /dev/null || ! "$work/probe"; then
	skip "no glibc mallinfo2 (glibc >= 2.33)"
fi
# -O0 for leak_trim: gcc may pair a malloc with its free and drop both
cc -O0 -g -Wall -Wextra -o "$work/leak_trim" "$src/leak_trim.c"
cc -O2 -g -Wall -Wextra -o "$work/mmapcost" "$src/mmapcost.c"
cc -O2 -g -Wall -Wextra -o "$work/phase" "$src/phase.c" -lm

# median and min-max of the numbers on stdin, one a line
stats() {
	sort -g | awk '{ x[NR] = $1 } END {
		if (!NR) { print "n=0"; exit }
		m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
		printf "%.0f [%.0f-%.0f] n=%d\n", m, x[1], x[NR], NR }'
}
median() { sort -g | awk '{ x[NR] = $1 } END { print NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2 }'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; } # KEY=VALUE out of a result line
stamp() { echo "[$(date -u '+%Y-%m-%d %H:%M:%S UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)]"; }

echo "article_hand.sh: $(uname -r), $(ldd --version 2> /dev/null | head -1), $(nproc) CPUs"
echo "THP: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2> /dev/null || echo '?')"

if [[ " $PARTS " == *" a "* ]]; then
	echo
	echo "== a) M_TRIM_THRESHOLD after a 1 MiB prime: 16 x 256 KiB, the top K freed $(stamp)"
	for st in bare small hole stdio bigtop; do
		for k in 6 7 8 9; do "$work/leak_trim" "$st" "$k" | grep -v '^#'; done
	done
	echo "(keepcost = the free top chunk; the trim threshold is 2 x (1 MiB + 4 KiB) = 2056 KiB)"
fi

if [[ " $PARTS " == *" b "* ]]; then
	echo
	echo "== b) mmapcost: $N fresh untouched blocks, ns per block, each run a fresh process $(stamp)"
	harness=1
	if [ "$ALLOCSCOPE" = none ] || [ ! -x "$ALLOCSCOPE" ]; then
		harness=0
		echo "(no allocscope at '$ALLOCSCOPE': the hand runs only)"
	fi
	# ns_per_op of the ok rows of trials.csv, for one size (quoted fields
	# hold commas: blank them out before splitting)
	harness_ns() {
		awk -F, -v sz="size=$2," 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			index($0, sz) { gsub(/"[^"]*"/, "Q"); if ($c["status"] == "ok") print $c["ns_per_op"] }' "$1"
	}
	: > "$work/hand.txt"
	: > "$work/harn.txt"
	for ((r = 1; r <= ROUNDS; r++)); do
		echo "-- round $r $(stamp)"
		for ((p = 0; p < PAIRS; p++)); do
			for sz in 120k 256k; do
				v=$("$work/mmapcost" malloc $sz $N | field ns_per_op)
				echo "$r hand $sz $v" >> "$work/hand.txt"
			done
		done
		for sz in 120k 256k; do
			echo "   hand $sz: $(awk -v r=$r -v s=$sz '$1 == r && $3 == s { print $4 }' "$work/hand.txt" | stats)"
		done
		if [ $harness = 1 ]; then
			for sc in perf off; do
				d=$work/harness_${r}_$sc
				"$ALLOCSCOPE" suite mmapcost -a glibc --no-plot -q --syscalls $sc -o "$d" > /dev/null 2>&1 ||
					echo "   (allocscope suite mmapcost --syscalls $sc: exit $?)"
				for sz in 120k 256k; do
					harness_ns "$d/mmapcost/trials.csv" $sz | sed "s/^/$r $sc $sz /" >> "$work/harn.txt"
					echo "   allocscope --syscalls $sc $sz: $(awk -v r=$r -v c=$sc -v s=$sz \
						'$1 == r && $2 == c && $3 == s { print $4 }' "$work/harn.txt" | stats)"
				done
			done
		fi
	done
	echo "-- all rounds (median [min-max] of ns per block; ratio = 256k median / 120k median)"
	summary() { # label file column2-filter
		local a b
		a=$(awk -v c="$3" '$2 == c && $3 == "120k" { print $4 }' "$2" | median)
		b=$(awk -v c="$3" '$2 == c && $3 == "256k" { print $4 }' "$2" | median)
		printf '   %-28s 120k %s   256k %s   ratio %s\n' "$1" \
			"$(awk -v c="$3" '$2 == c && $3 == "120k" { print $4 }' "$2" | stats)" \
			"$(awk -v c="$3" '$2 == c && $3 == "256k" { print $4 }' "$2" | stats)" \
			"$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
	}
	summary "hand (fresh process each)" "$work/hand.txt" hand
	if [ $harness = 1 ]; then
		summary "allocscope --syscalls perf" "$work/harn.txt" perf
		summary "allocscope --syscalls off" "$work/harn.txt" off
		echo "   per round, the ratio of medians (hand / perf / off):"
		for ((r = 1; r <= ROUNDS; r++)); do
			rat() {
				awk -v r=$r -v c="$2" '$1 == r && $2 == c { print $3, $4 }' "$1" | awk '
					{ v[$1, ++n[$1]] = $2 }
					function med(s,   i, j, t, k) { k = n[s]; for (i = 1; i <= k; i++) a[i] = v[s, i]
						for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
						return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
					END { if (n["120k"] && n["256k"]) printf "%.2f", med("256k") / med("120k"); else printf "-" }'
			}
			echo "     round $r: $(rat "$work/hand.txt" hand) / $(rat "$work/harn.txt" perf) / $(rat "$work/harn.txt" off)"
		done
	fi
	echo "-- system calls of one hand run each (whole process; the N=1 run is the start-up's)"
	for sz in 120k 256k; do
		for n in 1 $N; do
			if perf stat -x, -e syscalls:sys_enter_brk,syscalls:sys_enter_mmap -o "$work/perf.txt" \
				"$work/mmapcost" malloc $sz "$n" > /dev/null 2>&1; then
				echo "   $sz x $n (perf stat): $(awk -F, '/sys_enter/ { sub(/.*sys_enter_/, "", $3); printf "%s %s  ", $3, $1 }' "$work/perf.txt")"
			elif command -v strace > /dev/null; then
				strace -f -c -e trace=brk,mmap -o "$work/strace.txt" "$work/mmapcost" malloc $sz "$n" > /dev/null
				echo "   $sz x $n (strace -c): $(awk '$NF == "brk" || $NF == "mmap" { printf "%s %s  ", $NF, $4 }' "$work/strace.txt")"
			else
				echo "   (neither perf nor strace: no counts)"
				break 2
			fi
		done
	done
fi

if [[ " $PARTS " == *" c "* ]]; then
	echo
	echo "== c) phase: 50 requests of 2000 log-normal objects, arena reset against glibc frees $(stamp)"
	: > "$work/phase.txt"
	for ((i = 0; i < REPS; i++)); do
		for m in glibc arena; do "$work/phase" $m 50 20 | tee -a "$work/phase.txt" | sed 's/^/   /'; done
	done
	g=$(awk '$1 == "glibc"' "$work/phase.txt" | field median_pass_ms | median)
	a=$(awk '$1 == "arena"' "$work/phase.txt" | field median_pass_ms | median)
	echo "   median ms per pass: glibc $g, arena $a, arena/glibc $(awk -v a="$a" -v g="$g" 'BEGIN { printf "%.3f", a / g }')"
fi

if [[ " $PARTS " == *" d "* ]]; then
	echo
	echo "== d) the bare calls, ns per op (a pair = 2 calls), median of $REPS fresh processes $(stamp)"
	rows=("brkpair 128k 20000" "mmappair 256k 20000" "brkgrow 240k 2000" "mmapgrow 260k 4000"
		"brkgrow 240k 2000 touch" "mmapgrow 260k 4000 touch")
	: > "$work/calls.txt"
	for ((i = 0; i < REPS; i++)); do
		for j in "${!rows[@]}"; do
			# shellcheck disable=SC2086
			echo "$j $("$work/mmapcost" ${rows[$j]} | field ns_per_op)" >> "$work/calls.txt"
		done
	done
	for j in "${!rows[@]}"; do
		printf '   %-26s %s\n' "${rows[$j]}" "$(awk -v j="$j" '$1 == j { print $2 }' "$work/calls.txt" | stats)"
	done
fi
