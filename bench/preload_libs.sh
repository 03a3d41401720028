# preload_libs.sh - sourced by the bench scripts that run programs under
# LD_PRELOAD of the Debian allocators (mt_rank.sh, ref_agree.sh): fills the
# associative array `lib` (glibc: "", jemalloc, tcmalloc, mimalloc: the
# library's path from ldconfig) or exits 2 naming the missing library. The
# sourcing script sets `me` (its name, for the message) first.
declare -A lib=([glibc]="" [jemalloc]=libjemalloc.so.2 [tcmalloc]=libtcmalloc_minimal.so.4
  [mimalloc]=libmimalloc.so.2)
# awk reads ldconfig's whole list: leaving at the first match closed the
# pipe while ldconfig was still writing (SIGPIPE, exit 141), which the
# scripts' pipefail made the script's exit: 7 lookups of 300 at load 13,
# and test_ref_agree failed by chance
for m in jemalloc tcmalloc mimalloc; do
  p=$(ldconfig -p | awk -v n="${lib[$m]}" '$1 == n && /x86-64|64bit/ && p == "" {p = $NF} END {print p}')
  [ -n "$p" ] || { echo "$me: ${lib[$m]} not found (apt-get install the $m package)" >&2; exit 2; }
  lib[$m]=$p
done
