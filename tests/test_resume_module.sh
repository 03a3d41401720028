#!/usr/bin/env bash
# test_resume_module.sh - `run --resume` refuses a folder whose module file
# changed since the run began: an outside review rebuilt its module between
# an interrupted run and its resume, and the resumed rows (48 ns/op) were
# mixed with the first ones (15 ns/op) into a median of neither, without a
# word. context.csv records each module's file (module_path.<spec>) and its
# size and checksum (module_file.<spec>); resume compares them with the
# file the spec resolves to now, by path and by name.
# usage: test_resume_module.sh ALLOCSCOPE MODULE_DIR
set -u
as=$1 mods=$2
. "$(dirname "$0")/cli_expect.sh"
export CI=1
opts=(-q --no-plot -w random:ops=2000,live=100 -r 2 --min-time 0)

# a module given by path
mkdir -p "$tmp/m" "$tmp/other"
cp "$mods/bump.so" "$tmp/m/mine.so"
expect 0 "results:" run "${opts[@]}" -a glibc,"$tmp/m/mine.so" -o "$tmp/a"
grep -qE "^module_file\.$tmp/m/mine\.so,\"[0-9]+ bytes, crc32c [0-9a-f]{8}\"$" "$tmp/a/context.csv" &&
  ok || bad "context.csv has no module_file for the path module"
cp -r "$tmp/a" "$tmp/a0"
expect 0 "results:" run --resume "$tmp/a"
cmp -s "$tmp/a/trials.csv" "$tmp/a0/trials.csv" && ok || bad "resume of an unchanged run changed trials.csv"
cp "$mods/pool.so" "$tmp/m/mine.so" # rebuilt: other content
expect 2 "module $tmp/m/mine\.so: $tmp/m/mine\.so changed since the run began \([0-9]+ bytes, crc32c [0-9a-f]{8} then, [0-9]+ bytes, crc32c [0-9a-f]{8} now\)" \
  run --resume "$tmp/a"
cmp -s "$tmp/a/trials.csv" "$tmp/a0/trials.csv" && ok || bad "a refused resume changed trials.csv"
[ "$(grep -c '' "$tmp/out")" -eq 1 ] && ok || bad "the refusal is not one line"

# a module found by name on $ALLOCSCOPE_MODULE_PATH, then found elsewhere
cp "$mods/bump.so" "$tmp/m/bump.so"
cp "$mods/bump.so" "$tmp/other/bump.so"
ALLOCSCOPE_MODULE_PATH=$tmp/m expect 0 "results:" run "${opts[@]}" -a bump -o "$tmp/b"
grep -q "^module_path.bump,$tmp/m/bump.so$" "$tmp/b/context.csv" && ok || bad "module_path.bump not $tmp/m/bump.so"
ALLOCSCOPE_MODULE_PATH=$tmp/m expect 0 "results:" run --resume "$tmp/b"
# a byte-identical copy found elsewhere (the build folder moved) is the
# same module: resumed, with a note (an outside review's moved tree was
# refused by path alone)
cp -r "$tmp/b" "$tmp/b2"
ALLOCSCOPE_MODULE_PATH=$tmp/other expect 0 "results:" run --resume "$tmp/b2"
grep -q "module bump is $tmp/other/bump.so now, $tmp/m/bump.so when the run began: the same content" "$tmp/out" &&
  ok || bad "no note on the moved module: $(cat "$tmp/out")"
cmp -s "$tmp/b/trials.csv" "$tmp/b2/trials.csv" && ok || bad "resume with the moved module changed trials.csv"
# another module of the same name elsewhere is refused, and the message
# says how to point at the first
printf x >>"$tmp/other/bump.so" # a rebuild of it
ALLOCSCOPE_MODULE_PATH=$tmp/other expect 2 "module bump is $tmp/other/bump.so now, $tmp/m/bump.so when the run began, with other content: .*ALLOCSCOPE_MODULE_PATH" \
  run --resume "$tmp/b"
rm "$tmp/m/bump.so"
ALLOCSCOPE_MODULE_PATH=$tmp/m:$tmp/other expect 2 "module bump is $tmp/other/bump.so now" run --resume "$tmp/b"

# the module list itself (a suite without -a finds its modules on the
# module path): one gone since is named, not "row 9 does not belong to
# the matrix" (an outside review's suite --resume after moving pool.so)
cp -r "$tmp/b" "$tmp/c"
sed -i 's/^module,bump$/module,bump\nmodule,pool/' "$tmp/c/context.csv"
ALLOCSCOPE_MODULE_PATH=$tmp/m:$tmp/other expect 2 "cannot resume: the run began with modules bump,pool and would resume with bump \(a module not found now" \
  run --resume "$tmp/c"

# the allocator library a module binds is part of it: libjemalloc.so.2
# found elsewhere (an upgrade, another LD_LIBRARY_PATH) is another build
lib=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
if [ -e "$mods/jemalloc.so" ] && [ -e "$lib" ] && [ -z "${ALLOCSCOPE_SANITIZED:-}" ]; then
  expect 0 "results:" run "${opts[@]}" -a jemalloc -o "$tmp/j"
  grep -qE "^module_file\.jemalloc,\"[0-9]+ bytes, crc32c [0-9a-f]{8}; $lib [0-9]+ bytes, crc32c [0-9a-f]{8}\"$" \
    "$tmp/j/context.csv" && ok || bad "module_file.jemalloc does not name its library: $(grep module_file "$tmp/j/context.csv")"
  mkdir -p "$tmp/lib" && cp "$lib" "$tmp/lib/"
  LD_LIBRARY_PATH=$tmp/lib expect 2 "module jemalloc: .*changed since the run began .*$tmp/lib/libjemalloc.so.2" \
    run --resume "$tmp/j"
  expect 0 "results:" run --resume "$tmp/j"
fi

# the machine and allocscope's build are part of the run too: a resume on
# another host relabelled the earlier rows with this one's context
# without a word (an outside review edited host and kernel)
for kv in "host,othermachine:machines" "kernel,Linux 5.10.0-old:kernels" \
  "glibc,2.31:glibc versions"; do
  key=${kv%%,*} rest=${kv#*,} val=${kv#*,} what=${kv##*:}
  val=${rest%:*}
  rm -rf "$tmp/mach"; cp -r "$tmp/a" "$tmp/mach"
  sed -i "s/^$key,.*/$key,$val/" "$tmp/mach/context.csv"
  cp "$tmp/mach/trials.csv" "$tmp/mach.trials"
  expect 2 "cannot resume: the run began with $key '$val' and would resume with .*: its rows would mix two $what" \
    run --resume "$tmp/mach"
  cmp -s "$tmp/mach/trials.csv" "$tmp/mach.trials" && ok || bad "a refused resume ($key) changed trials.csv"
done

# another build of allocscope on the same machine resumes (a finished run
# is re-judged by resuming a copy with a newer build: an outside review
# found that refused), says so, and keeps the revision the run began with
expect 0 "results:" run "${opts[@]}" -a glibc -o "$tmp/rev"
sed -i 's/^git_revision,.*/git_revision,0123456789ab/' "$tmp/rev/context.csv"
expect 0 "note: the run began with allocscope 0123456789ab and is resumed with" \
  run --resume "$tmp/rev"
grep -q "^git_revision_began,0123456789ab$" "$tmp/rev/context.csv" && ok ||
  bad "context.csv has no git_revision_began: $(grep git_revision "$tmp/rev/context.csv")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
