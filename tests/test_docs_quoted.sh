#!/usr/bin/env bash
# test_docs_quoted.sh - the outputs the docs quote are what the CLI prints
# now. Every `$ ...allocscope ...` line of a fenced block in README.md,
# docs/*.md and results/README.md whose quoted output is a refusal (starts
# `allocscope:`) or `allocscope list` is run in a folder holding the files
# those examples name (ls.ast, a capture of `ls -l /`; ls.csv; empty.csv, a
# header-only trace; sizes.csv, a table whose line 3 is bad); a refusal must
# exit 2. Shape and names are compared, not figures: in a quoted line a run
# of digits matches any number, a git hash any hash (and build type any
# other), a path's build/ any build folder, `...` anything; a line `...`
# alone skips any lines, and each stretch between such lines must be found,
# line by line, in the output.
# Examples of jemalloc, tcmalloc or mimalloc are left out where that module
# is not built (its Debian library missing). Until session 31 docs/tracedist.md
# quoted cut.ast's refusal in an older form, and docs/modules.md's `list`
# left out each module's `file:` line.
# usage: test_docs_quoted.sh ALLOCSCOPE SOURCE_DIR
set -u
as=$(realpath "$1") src=$(realpath "$2")
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "check failed: $*" >&2; }
py=$(command -v python3) || { echo "skipped: no python3"; exit 77; }
tmp=$(mktemp -d /tmp/test_docs_quoted.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/run"
ln -s "$as" "$tmp/bin/allocscope"
cd "$tmp/run" || exit 1
if "$as" capture -o ls.ast -- ls -l / >/dev/null 2>&1 && "$as" trace convert ls.ast ls.csv >/dev/null 2>&1; then
  ok
else
  bad "capture of ls -l / and its CSV form: the fixture traces"
fi
head -1 ls.csv >empty.csv
printf 'size,weight\n16,1\n32,x\n' >sizes.csv

# the examples and their checks; each check prints "ok" or "bad: WHY"
PATH="$tmp/bin:$PATH" "$py" - "$src" >"$tmp/checks" <<'PY'
import glob, os, re, subprocess, sys
src = sys.argv[1]
files = [os.path.join(src, "README.md"), os.path.join(src, "results", "README.md")]
files += sorted(glob.glob(os.path.join(src, "docs", "*.md")))

def examples():
    """(FILE:LINE, command, quoted output) of each checked example"""
    for f in files:
        lines = open(f, encoding="utf-8").read().split("\n")
        fence, i = False, 0
        while i < len(lines):
            l = lines[i]
            if l.startswith("```"):
                fence = not fence
            elif fence and l.startswith("$ ") and re.search(r"(^|[ ;/])allocscope ", l):
                j = i + 1
                while j < len(lines) and not lines[j].startswith(("$ ", "```")):
                    j += 1
                out = lines[i + 1:j]
                cmd = l[2:].replace("build/harness/allocscope", "allocscope")
                if out and (out[0].startswith("allocscope:") or re.match(r"allocscope list\s*$", cmd)):
                    yield f"{os.path.relpath(f, src)}:{i + 1}", cmd, out
                i = j
                continue
            i += 1

# a git hash (of a tree with changes: HASH-dirty) and a build type stand
# for any other
build_types = r"\b(?:Debug|Release|RelWithDebInfo|MinSizeRel)\b"

def pattern(line):
    out = []
    kinds = r"\.\.\.|\b[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*\b|[0-9]+|" + build_types
    for part in re.split(f"({kinds})", line):
        if part == "...":
            out.append(".*")
        elif re.fullmatch(r"[0-9]+", part):
            out.append("[0-9]+")
        elif re.fullmatch(r"[0-9a-f]{7,}", part):
            out.append("[0-9a-f]+(-dirty)?")
        elif re.fullmatch(build_types, part):
            out.append(build_types)
        else:
            # the docs' build/ stands for any build folder (build-dev, ...)
            out.append(re.escape(part).replace("/build/", "/[^/ ]+/"))
    return re.compile("".join(out) + r"\s*$")

def stretches(out):
    """the quoted lines cut at each line that is `...` alone"""
    res, cur = [], []
    for l in out + ["..."]:
        if l.strip() == "...":
            while cur and not cur[-1].strip():
                cur.pop()
            if cur:
                res.append(cur)
            cur = []
        else:
            cur.append(l)
    return res

# the optional modules this build lacks
unbuilt = [m for m in ("jemalloc", "tcmalloc", "mimalloc")
           if subprocess.run(["allocscope", "list", m], capture_output=True).returncode != 0]

n = 0
for where, cmd, out in examples():
    n += 1
    if any(re.search(rf"\b{m}\b", cmd) for m in unbuilt):
        continue
    r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, errors="replace", timeout=20)
    got = (r.stdout + r.stderr).split("\n")
    want = 0 if cmd.startswith("allocscope list") else 2
    print("ok" if r.returncode == want else
          f"bad: {where}: '{cmd}' exited {r.returncode}, want {want}: {' '.join(got[:3])}")
    for s in stretches(out):
        if any(s[0].startswith(f"  {m} ") for m in unbuilt):
            continue
        pats = [pattern(l) for l in s]
        if not any(all(k + m < len(got) and p.match(got[k + m]) for m, p in enumerate(pats))
                   for k in range(len(got))):
            print(f"bad: {where}: '{cmd}' no longer prints: {' / '.join(s)[:300]} "
                  f"(got: {' / '.join(got)[:300]})")
            break
    else:
        print("ok")
print("ok" if n >= 10 else f"bad: only {n} quoted examples found in the docs")
PY
while IFS= read -r line; do
  case $line in
    ok) ok ;;
    *) bad "${line#bad: }" ;;
  esac
done <"$tmp/checks"
[ -s "$tmp/checks" ] || bad "the checks printed nothing"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
