# replay_run_line.awk - one line from a bench/replay_bench run's output: the
# CPU ns/op medians of its variants and the per-round ratio medians, after
# the tag given with -v tag=... (bench/replay_ab.sh, bench/replay_ab_paths.sh)
/hand-written loop, CPU/ {hf = $(NF-5)} /measurements off, CPU/ {of = $(NF-5)}
/touch=pages, off, CPU/ {p = $(NF-5)} /pages \+ samples only, CPU/ {s = $(NF-5)}
/pages \+ latency only, CPU/ {l = $(NF-5)} /default measuring, CPU/ {d = $(NF-5)}
/hand loop, touch=pages, CPU/ {h = $(NF-5)}
/hand\/engine \(off\) per round  / {ow = $(NF-5)} /hand\/engine \(off\) per round, CPU/ {oc = $(NF-5)}
/hand\(pages\)\/engine \(default\)  / {rw = $(NF-5)} /hand\(pages\)\/engine \(default\), CPU/ {rc = $(NF-5)}
END {printf "%s hand %.2f off %.2f hpages %.2f pages %.2f lat %.2f samp %.2f def %.2f | off ratio w %.3f c %.3f | def ratio w %.3f c %.3f\n", tag, hf, of, h, p, l, s, d, ow, oc, rw, rc}
