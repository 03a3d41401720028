# sweep.gp - a size sweep (the article's mmap threshold scenario, or any
# workload run at several size= values): against the request size (log x),
# time per op, the mmap calls made, and the RSS still held at the end of the
# timed region, after the blocks were freed (the article's point: heap memory
# stays, mmapped memory goes). glibc's default M_MMAP_THRESHOLD (128 KiB) is
# marked when the sizes reach it (MARK).
# Data columns: size_bytes ns_per_op mmap_calls rss_held_mib rss_peak_growth_mib.
NP = HAS_MMAP ? 3 : 2
eval termcmd(900, 80 + 260 * NP)
set multiplot layout NP, 1 title TITLE_TEXT font TFONT
set logscale x 2
set format x '%.0b %BB'
set xlabel 'request size (log scale)'
if (MARK) set arrow 1 from 131072, graph 0 to 131072, graph 1 nohead dt 3 lw 1.5 lc rgb '#444444' front; \
    set label 1 '128 KiB: glibc default M_MMAP_THRESHOLD' at 131072, graph 0.93 offset 0.6, 0 front
set key outside right top vertical Left reverse

set ylabel 'time per op (ns)'
if (LOGY) set logscale y 10; set format y '%.0s%c'
plot for [i = 1:NS] DATA index (i - 1) using 1:2 with linespoints title TITLE[i] lt sty(i)
unset logscale y
set format y '%g'
set yrange [0:*]

if (HAS_MMAP) set ylabel 'mmap calls'; \
    plot for [i = 1:NS] DATA index (i - 1) using 1:3 with linespoints title TITLE[i] lt sty(i)

set ylabel 'RSS held after free (MiB)'
plot for [i = 1:NS] DATA index (i - 1) using 1:4 with linespoints title TITLE[i] lt sty(i)
unset multiplot
