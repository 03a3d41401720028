# threshold.gp - the mmap threshold sweep: against the request size (log x),
# the mmap calls made (top) and the RSS still held after the blocks were
# freed (bottom); glibc's default M_MMAP_THRESHOLD (128 KiB) is marked.
# Data columns: size_bytes mmap_calls rss_held_mib rss_peak_growth_mib.
eval termcmd(900, HAS_MMAP ? 760 : 480)
if (HAS_MMAP) set multiplot layout 2, 1 title TITLE_TEXT font TFONT; else set title TITLE_TEXT font TFONT
set logscale x 2
set format x '%.0b %BB'
set xlabel 'request size (log scale)'
set arrow 1 from 131072, graph 0 to 131072, graph 1 nohead dt 3 lw 1.5 lc rgb '#444444' front
set label 1 '128 KiB: glibc default M_MMAP_THRESHOLD' at 131072, graph 0.96 offset 0.6, 0 front
set yrange [0:*]
if (HAS_MMAP) { \
    set ylabel 'mmap calls'; \
    plot for [i = 1:NS] DATA index (i - 1) using 1:2 with linespoints title TITLE[i] lt modlt(MOD[i]) \
}
set ylabel 'RSS held after free (MiB)'
plot for [i = 1:NS] DATA index (i - 1) using 1:3 with linespoints title TITLE[i] lt modlt(MOD[i])
if (HAS_MMAP) unset multiplot
