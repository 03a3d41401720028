#!/usr/bin/env bash
# test_path_errors.sh - a file named with a space and a newline in the
# errors of the trace readers (trace stats/convert/import, replay, tune,
# the trace workload), of exec and of capture, of the module loader and of
# the size distributions' table=FILE, of a module name not found (the
# ALLOCSCOPE_MODULE_PATH searched; the exec shim's line): each error is
# one line, and the path in it is one shell word that bash reads back as
# the path (as_path_err).
# Before, these printed the path raw: the newline cut the error in two and
# its second line could pass for a line of its own.
# usage: test_path_errors.sh ALLOCSCOPE
set -u
as=$(readlink -f "$1")
. "$(dirname "$0")/cli_expect.sh"

p="$tmp/a b"$'\n'"c.trace" # never created: every reader fails on it
word="\$'$tmp/a b\\nc.trace'"
bad_dir="$tmp/no dir"$'\n'"x"

# one_line RC WHAT ARGS...: exit code RC, one line of output, naming the
# path as $word, which bash reads back as $p
one_line() {
  local rc=$1 what=$2 got n w
  shift 2
  "$as" "$@" >"$tmp/out" 2>&1
  got=$?
  n=$(wc -l <"$tmp/out")
  if [ "$got" -eq "$rc" ] && [ "$n" -eq 1 ] && grep -qF -- "$word" "$tmp/out"; then ok; else
    bad "$what: exit $got (want $rc), $n lines (want 1) naming $word:"
    sed 's/^/  | /' "$tmp/out" >&2
    return
  fi
  eval "w=$word"
  [ "$w" = "$p" ] && ok || bad "$what: $word reads back as '$w'"
}

one_line 2 "trace stats" trace stats "$p"
one_line 2 "trace convert (input)" trace convert "$p" "$tmp/out.ast"
one_line 2 "trace import" trace import mtrace "$p" -o "$tmp/out.ast"
one_line 2 "replay of a missing trace" replay -a glibc "$p" -o "$tmp/rp" --no-plot -q
one_line 2 "tune of a missing trace" tune --no-plot "$p" -o "$tmp/tn"
one_line 2 "the trace workload" run -a glibc -w "trace:file=$p" -o "$tmp/run" --no-plot -q
one_line 127 "exec of a missing program" exec -a glibc -- "$p"
one_line 2 "capture of a missing program" capture -o "$tmp/out.ast" -- "$p"

# a damaged trace: the reader's "PATH: line N: why"
printf 'x\n' >"$p"
one_line 2 "trace stats of a damaged trace" trace stats "$p"
rm -f "$p"

# the output side: a trace to write under a folder that is not there
printf 'op,thread,id,size,align,dt_ns\n' >"$tmp/empty.csv"
word="\$'$tmp/no dir\\nx'"
p=$bad_dir
one_line 2 "capture -o under a missing folder" capture -o "$bad_dir/t.ast" -- true
word="\$'$tmp/no dir\\nx/t.ast'"
p="$bad_dir/t.ast"
one_line 2 "trace convert (output)" trace convert "$tmp/empty.csv" "$bad_dir/t.ast"

# a module given by its path: missing, then a file that is no module (the
# loader's checks, which printed the path with \n, not as a shell word)
p="$tmp/a b"$'\n'"c.so"
word="\$'$tmp/a b\\nc.so'"
one_line 2 "run -a of a missing module file" run -a "$p" -w random -o "$tmp/m1" --no-plot -q
printf 'x\n' >"$p"
one_line 2 "run -a of a file that is no module" run -a "$p" -w random -o "$tmp/m2" --no-plot -q
one_line 2 "check of a file that is no module" check "$p"
rm -f "$p"

# a module name not found: the ALLOCSCOPE_MODULE_PATH searched, as a word
p="$tmp/a b"$'\n'"mods"
word="\$'$tmp/a b\\nmods'"
export ALLOCSCOPE_MODULE_PATH=$p
one_line 2 "run -a of a module name not found" run -a nosuchmod -w random -o "$tmp/m6" --no-plot -q
unset ALLOCSCOPE_MODULE_PATH

# the same in the exec shim, preloaded by hand (docs/exec.md): its one line,
# not a "symbol lookup error" (it has the loader, not the workloads, whose
# name check the loader's line makes: until session 30 an undefined symbol)
shim="$(dirname "$as")/../lib/allocscope-preload/as_exec.so"
if [ -f "$shim" ]; then
  ALLOCSCOPE_EXEC_MODULE=nosuchmod LD_PRELOAD=$shim /bin/true >"$tmp/out" 2>&1
  rc=$?
  if [ "$rc" -eq 127 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] &&
    grep -q "^allocscope exec: nosuchmod: module not found" "$tmp/out"; then ok; else
    bad "the exec shim given a module name not found: exit $rc (want 127):"
    sed 's/^/  | /' "$tmp/out" >&2
  fi
else
  echo "note: no $shim (an installed layout?): the shim's check is left out"
fi

# table=FILE of the size distributions (workloads/dist.c): missing, a bad
# row, a trace without a request
p="$tmp/a b"$'\n'"c.csv"
word="\$'$tmp/a b\\nc.csv'"
one_line 2 "synth's missing table=FILE" run -a glibc -w "synth:dist=table,table=$p" \
  -o "$tmp/m3" --no-plot -q
printf '16,1\n64,x\n' >"$p"
one_line 2 "a bad row of synth's table=FILE" run -a glibc -w "synth:dist=table,table=$p" \
  -o "$tmp/m4" --no-plot -q
printf 'op,thread,id,size,align,dt_ns\n' >"$p"
one_line 2 "synth's dist=trace of a trace without a request" run -a glibc \
  -w "synth:dist=trace,table=$p" -o "$tmp/m5" --no-plot -q
rm -f "$p"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
