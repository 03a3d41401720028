# preload_libs.sh - sourced by the bench scripts that run programs under
# LD_PRELOAD of the Debian allocators (mt_rank.sh, ref_agree.sh): fills the
# associative array `lib` (glibc: "", jemalloc, tcmalloc, mimalloc: the
# library's path from ldconfig) or exits 2 naming the missing library. The
# sourcing script sets `me` (its name, for the message) first.
declare -A lib=([glibc]="" [jemalloc]=libjemalloc.so.2 [tcmalloc]=libtcmalloc_minimal.so.4
  [mimalloc]=libmimalloc.so.2)
for m in jemalloc tcmalloc mimalloc; do
  p=$(ldconfig -p | awk -v n="${lib[$m]}" '$1 == n && /x86-64|64bit/ {print $NF; exit}')
  [ -n "$p" ] || { echo "$me: ${lib[$m]} not found (apt-get install the $m package)" >&2; exit 2; }
  lib[$m]=$p
done
