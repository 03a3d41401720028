#!/usr/bin/env bash
# test_cli.sh - the CLI's conventions as a user meets them: --version (the
# same string in `list` and context.csv), "did you mean" in every "unknown
# X" error, one spelling of each option across commands.
# usage: test_cli.sh ALLOCSCOPE SOURCE_DIR PROJECT_VERSION BUILD_TYPE SANITIZED(0|1)
set -u
as=$1 src=$2 version=$3 build_type=$4 sanitized=${5:-0}
. "$(dirname "$0")/cli_expect.sh"
# --- version -----------------------------------------------------------------
v=$("$as" --version)
if grep -qE "^allocscope ${version//./\\.} \(git ([0-9a-f]{7,}(-dirty)?|unknown), ${build_type}\)$" <<<"$v"; then ok; else bad "--version: '$v' (want allocscope $version (git REV, $build_type))"; fi
if [ "$("$as" version)" = "$v" ]; then ok; else bad "'version' differs from --version"; fi
if [ "$("$as" list | head -1)" = "$v" ]; then ok; else bad "list's first line is not the version"; fi
# the modules by name (until session 31 in readdir's order, the file
# system's: arena null tcmalloc bump ... on this host's ext4)
mods=$("$as" list 2>/dev/null | awk '/^Modules/ { m = 1; next } /^[^ ]/ { m = 0 } m && /^  [^ ]/ { print $1 }')
if [ -n "$mods" ] && [ "$mods" = "$(printf '%s\n' "$mods" | LC_ALL=C sort)" ]; then ok; else
  bad "list's modules are not in name order: $(echo $mods)"
fi
if "$as" --help | grep -q -- "--version"; then ok; else bad "--help does not mention --version"; fi
# `help --help` and `help -h` are the usage, as `help` alone is (until
# session 34: "unknown topic '--help'", exit 2)
for h in --help -h; do expect 0 "^usage: allocscope COMMAND" help "$h"; done
if "$as" run -r 1 -q --no-plot --min-time 0 -a null -w random:ops=1000,live=10 -o "$tmp/r" >/dev/null 2>&1 &&
   grep -qxF "version,\"${v#allocscope }\"" "$tmp/r/context.csv"; then ok
else bad "context.csv has no version row equal to --version"; fi
# the revision is a commit of this tree's history: HEAD after a build, an
# ancestor when commits were made since (ctest does not rebuild)
if git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
  rev=$(sed -n 's/.*(git \([0-9a-f]*\).*/\1/p' <<<"$v")
  if [ -n "$rev" ] && git -C "$src" merge-base --is-ancestor "$rev" HEAD 2>/dev/null; then ok
  else bad "--version's revision '$rev' is not a commit of $src's history: $v"; fi
fi

# --- did you mean: every kind of unknown name, and none when nothing is close --
o=(-q --no-plot -o "$tmp/dym")
expect 2 "unknown command 'rn'.*did you mean 'run'\?" rn
expect 2 "did you mean '--version'\?" --verison
refuse 2 "did you mean" frobnicate
expect 2 "unknown option '--reps2'.*did you mean '--reps'\?" run --reps2 3 -a null
expect 2 "unknown option '--sttas'.*did you mean '--stats'\?" exec -a null --sttas -- true
refuse 2 "did you mean" run --zzzzzzzz -a null
expect 2 "glibcc: module not found.*did you mean 'glibc'\?" run -a glibcc "${o[@]}"
refuse 2 "did you mean" run -a zzqqxx "${o[@]}"
expect 2 "no such workload.*did you mean 'random'\?" run -a null -w randm "${o[@]}"
expect 2 "unknown key 'opz'.*did you mean 'ops'\?" run -a null -w random:opz=3 "${o[@]}"
expect 2 "unknown key 'top_pat'.*did you mean 'top_pad'\?" run -a refmalloc:top_pat=1 "${o[@]}"
refuse 2 "did you mean" run -a refmalloc:zzz=1 "${o[@]}"
# glibc's params go to the trial's environment (GLIBC_TUNABLES) before it
# starts, through another path than create(): the same suggestion
expect 2 "unknown key 'mmap_treshold'.*did you mean 'mmap_threshold'\?" run -a glibc:mmap_treshold=1 "${o[@]}"
# list NAME finds a module as -a does, or a path; else a workload, suite or
# scenario of that name (until session 26 only modules: `list larson` was
# "module not found"); else the nearest name of any of them
expect 2 "jemaloc: no module, workload, suite or scenario of that name.*did you mean 'jemalloc'\?" list jemaloc
expect 2 "artcle: no module, workload, suite or scenario.*did you mean 'article'\?" list artcle
# (one line a pattern: grep -E takes a pattern with newlines as several)
expect 0 "^Workload \(-w NAME" list xmalloc
expect 0 "^      batch +blocks per handed-over batch" list xmalloc
refuse 0 "^Modules|^Suite|^  glibc " list xmalloc
expect 0 "^      scenarios: threshold leak" list article
expect 0 "^Scenario \(allocscope suite SCENARIO\):" list larson
expect 0 "^  larson +larson server simulation" list larson
expect 0 "^      epochs " list larson
# a module's name that is a scenario's too (bump): both
expect 0 "^  bump +1\.0 " list bump
expect 0 "^  bump +small objects: bump and arena" list bump
# -a with a workload's name says what it is
expect 2 "larson: module not found .*'larson' is a workload \(-w larson\)" run -a larson -o "$tmp/wl-as-mod"
expect 0 "file: .*/allocators/null.so" list "$(dirname "$as")/../allocators/null.so"
expect 2 "not a shared object" list /etc/passwd
# a second name was ignored (until review-a: `list glibc jemalloc` showed glibc, exit 0)
expect 2 "one NAME at a time \('null' after 'glibc'" list glibc null
expect 2 "neither a suite nor a scenario.*did you mean 'article'\?" suite artcle --quick
expect 2 "unknown subcommand 'stat'.*did you mean 'stats'\?" trace stat x.ast
if [ ! -e "$tmp/dym" ]; then ok; else bad "a refused command wrote results"; fi

# --- one spelling: -a/--allocators everywhere, the singular accepted --------
for cmd in run suite replay exec; do
  if "$as" $cmd --help | grep -qE -- "^  -a, --allocators "; then ok; else bad "$cmd --help has no -a, --allocators"; fi
done
if [ "$sanitized" != 1 ]; then
  expect 0 "^0$" exec --allocators refmalloc -- sh -c 'echo 0'
  expect 0 "^0$" exec --allocator refmalloc -- sh -c 'echo 0'
else
  echo "skipped: exec of a program (sanitizer build: a sanitized module needs the ASan runtime)"
fi
expect 2 "one module only" exec -a null,glibc -- true
for spelling in --allocators --allocator; do
  if "$as" run -r 1 -q --no-plot --min-time 0 $spelling null -w random:ops=1000,live=10 -o "$tmp/a$spelling" >/dev/null 2>&1 &&
     grep -q ",null," "$tmp/a$spelling/trials.csv"; then ok; else bad "run $spelling null"; fi
done

# --- seccomp counting completes its trials (in a sanitizer build too, where
# LeakSanitizer's exit check once hung every such trial until its timeout)
if "$as" run -r 1 -q --no-plot --min-time 0 -a null,glibc -w random:ops=2000,live=20 --syscalls seccomp --timeout 20 \
  -o "$tmp/secc" >/dev/null 2>"$tmp/err" &&
  [ "$(grep -c ",1,42,ok," "$tmp/secc/trials.csv")" -eq 2 ]; then ok
else bad "--syscalls seccomp trials did not all complete"; cat "$tmp/err" >&2; fi

# --- an unavailable measurement is said on the terminal, once, with the remedy
# (perf counting needs root or CAP_PERFMON: as root, run as nobody)
nobody_setup
"${asuser[@]}" "$nbas" run -q --no-plot --min-time 0 -a null,glibc -r 2 -w random:ops=1000,live=10 -o "$nb/perf" \
  >"$tmp/out" 2>"$tmp/err"
if grep -q "^syscall_counting,n/a" "$nb/perf/context.csv" 2>/dev/null; then
  n=$(grep -c "memory syscalls not counted" "$tmp/err")
  if [ "$n" -eq 1 ]; then ok; else bad "unavailable perf counting: $n notices, want 1"; cat "$tmp/err" >&2; fi
  if grep -q "not counted.*--syscalls seccomp" "$tmp/err"; then ok; else bad "the notice does not name --syscalls seccomp"; fi
  # the remedy works for the same user; off asks for nothing: no notice
  for m in seccomp off; do
    "${asuser[@]}" "$nbas" run -r 1 -q --no-plot --min-time 0 -a null -w random:ops=1000,live=10 --syscalls $m \
      -o "$nb/$m" >/dev/null 2>"$tmp/err"
    if ! grep -q "not counted" "$tmp/err"; then ok; else bad "--syscalls $m: a notice"; cat "$tmp/err" >&2; fi
  done
  if awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "mmap_calls") c = i} NR == 2 {exit !($c != "")}' \
    "$nb/seccomp/trials.csv"; then ok; else bad "--syscalls seccomp as the same user counts nothing"; fi
else
  echo "skipped: perf counting works for this user and no way to drop root (the unavailable notice): $(tail -1 "$tmp/err")"
fi

# --- console table: a row label per spec, never cut ------------------------------
# two specs of one module and a module given as a path: the table shows the
# shortest labels that tell them apart (the params that differ; the path's
# file name), whole
mods="refmalloc:mmap_threshold=64k,refmalloc:mmap_threshold=256k,$(dirname "$as")/../allocators/glibc.so"
CI=1 "$as" run --no-plot -r 1 -a "$mods" -w random:ops=1000,live=10 -o "$tmp/labels" >"$tmp/out" 2>&1
for want in "refmalloc:mmap_threshold=64k " "refmalloc:mmap_threshold=256k " "glibc "; do
  if grep -q "^$want *random " "$tmp/out"; then ok; else bad "console table: no row '$want'"; cat "$tmp/out" >&2; fi
done
rows=$(awk '/^module /{t=1; next} t && /^\(/{t=0} t && NF {print $1}' "$tmp/out" | sort -u | wc -l)
if [ "$rows" -eq 3 ]; then ok; else bad "console table: $rows distinct row labels, want 3"; fi

# messages that name the real problem (session 19's review): -o a file,
# -a a folder, an mtrace log given where a trace is expected
touch "$tmp/afile"
expect 2 "afile: exists and is not a folder" run -a null -q --no-plot -o "$tmp/afile"
expect 2 "$tmp: not a module file \(a folder" run -a "$tmp" -q --no-plot -o "$tmp/ax"
printf '= Start\n@ ./a:[0x1] + 0x55 0x10\n= End\n' >"$tmp/m.mtrace"
expect 2 "a glibc mtrace log\? import it first: allocscope trace import mtrace" trace stats "$tmp/m.mtrace"
# capture checks where the trace goes before running the program; a suite
# with an unknown module says so in one line (not a second "cannot run")
expect 2 "is a folder; -o names the trace file" capture -o "$tmp" -- /bin/true
expect 2 "no folder .*/nodir to write it in" capture -o "$tmp/nodir/x.ast" -- /bin/true
# capture's report goes to stderr: the program's stdout stays the program's
"$as" capture -o "$tmp/e.ast" -- /bin/echo hello >"$tmp/e.out" 2>"$tmp/e.err"
[ "$(cat "$tmp/e.out")" = hello ] && grep -q "e.ast: [0-9]* events" "$tmp/e.err" && ok ||
  bad "capture's stdout '$(cat "$tmp/e.out")', stderr '$(cat "$tmp/e.err")'"
expect 2 "nosuchmod: module not found" suite --quick --no-plot -a nosuchmod -o "$tmp/sq"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok || bad "suite -a nosuchmod: $(cat "$tmp/out")"
# a request no allocator can meet (2^36 alignment): out_of_memory, and the
# reason names the alignment, not a plain NULL for 44,000 bytes
printf 'op,thread,id,size_bytes,align_bytes,time_ns\nmalloc,0,1,44000,68719476736,0\nfree,0,1,0,0,1\n' >"$tmp/al.csv"
expect 1 "out_of_memory: alloc returned NULL .*44000 bytes, aligned to 68719476736" replay "$tmp/al.csv" -a glibc -r 1 --no-plot -q -o "$tmp/alr"
# TRACE between options (before session 29: "expected one TRACE argument")
expect 1 "out_of_memory: alloc returned NULL .*44000 bytes, aligned to 68719476736" replay -a glibc "$tmp/al.csv" -r 1 --no-plot -q -o "$tmp/alr2"
# an mtrace log has no times: stats says so, not "over 0.000 s" and "0 ns 100%"
expect 0 "" trace import mtrace "$tmp/m.mtrace" -o "$tmp/m.ast"
expect 0 "events: +1 \(no timestamps" trace stats "$tmp/m.ast"
expect 0 "in time: not known \(no timestamps\)" trace stats "$tmp/m.ast"

# a stream that leaves blocks live runs once, however short: the console
# says so and names it (until session 20 a captured trace timed on one 1 ms
# pass read like any other row); random ends empty and runs on
expect 0 "^\(one pass: 1 group\(s\) ran their op stream once.*: leak:total=1m glibc; trials.csv passes\)" \
  run --no-plot -a glibc -w leak:total=1m,random:ops=2000,live=100 -r 1 --min-time 0.02 -o "$tmp/onepass"
refuse 0 "one pass" run --no-plot -a glibc -w random:ops=2000,live=100 -r 1 --min-time 0.02 -o "$tmp/onepass2"

# the probe's quick checks fail broken modules, not small or recycling ones:
# null reuses live memory by design (AS_CAP_RECYCLES_LIVE), bump:region=1m
# runs out of room before the checks do (until session 20 both were
# invalid_memory)
expect 0 "results:" run --no-plot -a null:buffer=1m,bump:region=1m -w random:ops=2000,max=64 -r 1 \
  --min-time 0 -o "$tmp/quick"
[ "$(grep -c ',ok,' "$tmp/quick/trials.csv")" = 2 ] && ok || bad "quick checks: $(cut -d, -f1-10 "$tmp/quick/trials.csv")"

# a suite whose scenario did not finish: the suite's report says so beside
# that scenario, not its own report alone (until session 20 only the
# scenario's said it)
"$as" suite lazy --quick -o "$tmp/sl" >/dev/null 2>&1
rm -f "$tmp/sl/lazy/summary.csv"
expect 0 "report:" plot "$tmp/sl"
grep -q "This scenario's run is incomplete.*lazy/report.md" "$tmp/sl/report.md" && ok ||
  bad "suite report: no word of the unfinished scenario"

# --- stdout on a full disk: an error, not a short table --------------------
# (until the analyser review of 2026-12-06 `compare A B` and the other text
# reports exited 0 with nothing written; only compare --json checked its write)
# full RC ARGS...: allocscope ARGS > /dev/full exits RC and says so on stderr,
# with the reason (until session 34 an output longer than stdio's buffer,
# `run --help`, said "write error": the failed write's errno was gone)
full() {
  local rc=$1 got
  shift
  "$as" "$@" >/dev/full 2>"$tmp/full.err"
  got=$?
  if [ "$got" -eq "$rc" ] && grep -q "cannot write to stdout: No space left on device" "$tmp/full.err"; then ok
  else bad "allocscope $* > /dev/full: exit $got (want $rc), stderr: $(head -3 "$tmp/full.err")"; fi
}
if [ -w /dev/full ]; then
  full 2 compare "$tmp/r" "$tmp/r"
  full 2 list
  full 2 --version
  full 2 --help
  full 2 run --help
  full 2 help results
  # one line, not two, where compare --json already said it
  "$as" compare "$tmp/r" "$tmp/r" --json >/dev/full 2>"$tmp/full.err"
  [ "$(grep -c 'cannot write to stdout' "$tmp/full.err")" = 1 ] && ok ||
    bad "compare --json > /dev/full: $(cat "$tmp/full.err")"
else
  echo "skipped: /dev/full cases (no writable /dev/full)"
fi

# --- run --resume DIR takes no other option, and --help says so ----------
expect 0 "resume DIR .*no other option" run --help
expect 2 "--resume DIR takes no other options" run --resume "$tmp/r" -q

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
