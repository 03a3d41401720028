#!/usr/bin/env bash
# test_folder_files.sh - a results folder from elsewhere whose files are not
# regular files: a FIFO as trials.csv (or run.args, series.csv, .lock), a
# folder, a symlink to /dev/zero. compare, plot and run --resume refuse each
# with one line naming the file and what it is, exit 2, at once (a FIFO
# blocked them in open(2), past SIGTERM), and leave the folder as it was; a
# symlink to a regular file is read.
# usage: test_folder_files.sh ALLOCSCOPE
set -u
real=$1
. "$(dirname "$0")/cli_expect.sh"
# every command under a time limit: a hang fails as exit 137, not forever
printf '#!/bin/sh\nexec timeout -s KILL 15 "%s" "$@"\n' "$real" >"$tmp/as"
chmod +x "$tmp/as"
as=$tmp/as

if ! "$real" run -a glibc,bump -w random:ops=2000 -r 1 -q --no-plot -o "$tmp/a" >"$tmp/run.out" 2>&1; then
  # glibc and bump are always built: a run of them that fails is a failure
  # of the tool, not a machine that lacks something
  sed 's/^/  | /' "$tmp/run.out" >&2
  echo "check failed: the fixture run (glibc, bump) failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
rm -f "$tmp/a/.lock"
# copy A to NAME, then replace its FILE by what the rest of the line makes
variant() {
  rm -rf "${tmp:?}/$1"
  cp -r "$tmp/a" "$tmp/$1"
  rm -f "$tmp/$1/$2"
}
# listing DIR: names, kinds and sizes, to tell the folder was left as it was
# (but the .lock a run keeps, which --resume claims)
listing() { (cd "$1" && find . ! -name .lock -printf '%p %y %s\n' | sort); }

variant fifo trials.csv
mkfifo "$tmp/fifo/trials.csv"
listing "$tmp/fifo" >"$tmp/before"
expect 2 "fifo/trials.csv: a FIFO, not a file" compare "$tmp/a" "$tmp/fifo"
expect 2 "fifo/trials.csv: a FIFO, not a file" plot "$tmp/fifo"
expect 2 "fifo/trials.csv: a FIFO, not a file" run --resume "$tmp/fifo"
listing "$tmp/fifo" >"$tmp/after"
if cmp -s "$tmp/before" "$tmp/after"; then ok; else
  bad "the FIFO folder changed:"; diff "$tmp/before" "$tmp/after" >&2
fi

variant args run.args
mkfifo "$tmp/args/run.args"
expect 2 "args/run.args: a FIFO, not a file" run --resume "$tmp/args"

variant series series.csv
mkfifo "$tmp/series/series.csv"
expect 2 "series/series.csv: a FIFO, not a file" run --resume "$tmp/series"

variant dir trials.csv
mkdir "$tmp/dir/trials.csv"
expect 2 "dir/trials.csv: a folder, not a file" compare "$tmp/a" "$tmp/dir"
expect 2 "dir/trials.csv: a folder, not a file" plot "$tmp/dir"

variant zero trials.csv
ln -s /dev/zero "$tmp/zero/trials.csv"
expect 2 "zero/trials.csv: a device, not a file" compare "$tmp/zero" "$tmp/a"
expect 2 "zero/trials.csv: a device, not a file" plot "$tmp/zero"

# a lock file that is a FIFO: compare does not wait on it
variant lock .lock
mkfifo "$tmp/lock/.lock"
expect 0 "matched" compare "$tmp/a" "$tmp/lock"

# a symlink to a regular file is that file
variant link trials.csv
ln -s "$tmp/a/trials.csv" "$tmp/link/trials.csv"
expect 0 "matched" compare "$tmp/a" "$tmp/link"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
