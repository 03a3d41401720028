#!/usr/bin/env bash
# test_lib_prints.sh - the library returns data and the commands print
# (STYLE.md: "only the CLI prints"; DESIGN.md: reporters, not a runner that
# prints). Read from the archive's symbol tables (nm), as test_call_circles
# reads them: (1) no object file outside the command layer (cmd_*.c) calls
# a function that a command's object defines (run_common.c called the plot
# command's printer until as_run_plot returned what it did); (2) the files
# named below, split out of the commands as their work, not their words,
# reference nothing that writes to stdout (printf, puts, putchar, vprintf,
# stdout itself): run_common.c, suite_run.c, tune_config.c; (3) the files
# of compare's library named below write to neither stdout nor stderr:
# they return what they found and the command says it (compare_warn.c
# wrote its warnings on stderr itself until session 36).
# usage: test_lib_prints.sh LIBAS_HARNESS.a
. "$(dirname "$0")/nm_archive.sh" "$1"
nm -A "$lib" 2>/dev/null | python3 -c '
import sys, collections
# files that do a command'"'"'s work and print nothing on stdout
quiet = ["run_common.c.o", "suite_run.c.o", "tune_config.c.o"]
stdout_names = {"printf", "puts", "putchar", "vprintf", "stdout", "__printf_chk",
                "__vprintf_chk"}
# files that return their words, printing nothing at all
silent = ["compare.c.o", "compare_warn.c.o"]
stderr_names = {"stderr", "perror", "__fprintf_chk", "fprintf", "vfprintf", "__vfprintf_chk",
                "fputs", "fwrite"}
defs, uses, objs = {}, collections.defaultdict(set), set()
for line in sys.stdin:
    f = line.split()
    if len(f) < 2:
        continue
    obj = f[0].split(":")[1]
    objs.add(obj)
    if len(f) != 3:
        continue
    if f[1] == "T":
        defs[f[2]] = obj
    elif f[1] == "U":
        uses[obj].add(f[2])
def command(o):
    return o.startswith("cmd_")
if not defs:
    print("skipped: no function symbols read from the archive")
    sys.exit(77)
passed = failed = 0
bad = sorted((o, n, defs[n]) for o in uses for n in uses[o]
             if n in defs and command(defs[n]) and not command(o))
for o, n, d in bad:
    print("check failed: %s calls %s, which the command file %s defines" % (o, n, d))
if bad:
    failed += 1
else:
    passed += 1
checks = [(q, stdout_names, "writes to stdout (%s): library code returns data") for q in quiet]
checks += [(q, stdout_names | stderr_names,
            "writes (%s): it returns its words for the command to say") for q in silent]
for q, names, why in checks:
    if q not in objs:
        print("check failed: %s is not in the archive" % q)
        failed += 1
        continue
    p = sorted(uses[q] & names)
    if p:
        print("check failed: %s %s" % (q, why % ", ".join(p)))
        failed += 1
    else:
        passed += 1
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
'
