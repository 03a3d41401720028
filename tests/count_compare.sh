# count_compare.sh - sourced by the tests that hold a capture against
# tests/count_shim.so (the program's own count of its calls, made in the
# program, not from the spool): `counted NAME CMD...` captures CMD with the
# shim preloaded ahead of the capture library, then compares every image's
# trace (trace stats and its CSV) with the shim's counters of that image.
# The sourcing script sets `as` (the CLI), `shim` (count_shim.so) and
# sources cli_expect.sh first.

# cnt FILE: the shim's counters as "name value" lines (count_shim.c's enum)
cnt() {
  od -An -tu8 -v "$1" | tr -s ' ' '\n' | sed '/^$/d' | paste -d' ' - - - - - - - - - - - - - - - - - - - - - - |
    awk '{ print "alloc", $1 + $3 + $10 + $11 + $12 + $13 + $14 + $15
           print "calloc", $2; print "realloc", $4; print "free", $7 + $5
           print "free_unknown", $9; print "bytes", $17; print "never_freed", $18
           print "live_end", $19; print "peak_live", $20; print "threads", $21
           print "aligned", $11 + $12 + $13 + $14 + $15; print "overflow", $22 }'
}

# got TRACE: the same names from the trace (trace stats, and its CSV for the
# bytes requested and the aligned allocations)
got() {
  "$as" trace stats "$1" >"$tmp/g.stats" 2>&1 && "$as" trace convert "$1" "$tmp/g.csv" >/dev/null 2>&1 || {
    echo "unreadable"
    return
  }
  awk '/^  (alloc|calloc|realloc|free|free_unknown) / { print $1, $2 }
       /^threads:/ { print "threads", $2 }
       /^objects:/ { print "never_freed", $6 }
       /^peak live:/ { print "peak_live", $3 }
       /^live at end:/ { print "live_end", $4 }' "$tmp/g.stats"
  awk -F, 'NR > 1 && $1 != "free" { b += $4 } NR > 1 && $5 > 0 { a++ }
           END { print "bytes", b + 0; print "aligned", a + 0; print "overflow", 0 }' "$tmp/g.csv"
}

# counted NAME [--threads] CMD...: capture CMD (the shim ahead of capture's
# library), compare each image the shim counted with its trace. Every
# process's images are compared; with --threads the peak (an order of
# several threads' calls, which the shim and capture take apart) is not.
# Sets `images` to the number compared.
counted() {
  local name=$1 mt=0 d f pid gen main last trace want
  shift
  [ "$1" = --threads ] && { mt=1; shift; }
  d=$tmp/$name.cnt
  rm -rf "$d" && mkdir -p "$d"
  # -o relative (the spool folder too), as a user gives it
  (cd "$tmp" && "$as" capture -o "$name.ast" -- sh -c \
    's=$1; shift; ASCOUNT_DIR=$0 LD_PRELOAD="$s $LD_PRELOAD" exec "$@"' "$d" "$shim" "$@" \
    >"$tmp/$name.cap" 2>&1 </dev/null)
  [ -s "$tmp/$name.ast" ] || {
    bad "$name: capture wrote no trace: $(cat "$tmp/$name.cap")"
    return
  }
  # the started process is the sh (gen 0, no shim), then CMD: its last
  # image is -o's, the earlier ones and every child's TRACE.PID.GEN
  main=$(ls "$d" | awk -F. '{ print $1 }' | sort -n | head -1)
  last=$(ls "$d" | awk -F. -v m="$main" '$1 == m { print $2 }' | sort -n | tail -1)
  images=0
  for f in "$d"/*.cnt; do
    pid=$(basename "$f" | cut -d. -f1)
    gen=$(basename "$f" | cut -d. -f2)
    if [ "$pid" = "$main" ] && [ "$gen" = "$last" ]; then
      trace=$tmp/$name.ast
    elif [ "$pid" = "$main" ]; then
      trace=$tmp/$name.ast.$pid.$((gen + 1))
    else
      trace=$tmp/$name.ast.$pid.$gen
    fi
    cnt "$f" | sort >"$tmp/want"
    [ "$(awk '$1 == "alloc" || $1 == "calloc" { n += $2 } END { print n + 0 }' "$tmp/want")" = 0 ] &&
      [ ! -e "$trace" ] && continue # no allocation, no trace
    if [ "$mt" = 1 ] || ! grep -q '^threads 1$' "$tmp/want"; then
      sed -i '/^peak_live /d' "$tmp/want"
    fi
    got "$trace" | grep -F -f <(awk '{ print $1 " " }' "$tmp/want") | sort >"$tmp/got"
    images=$((images + 1))
    if diff "$tmp/want" "$tmp/got" >"$tmp/diff"; then
      ok
    else
      bad "$name: $(basename "$trace") differs from the program's own count (< shim, > trace):"
      sed 's/^/  | /' "$tmp/diff" >&2
    fi
  done
  [ "$images" -gt 0 ] || bad "$name: no image counted"
}
