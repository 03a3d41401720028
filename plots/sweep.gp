# sweep.gp - a size sweep (the article's mmap threshold scenario, or any
# workload run at several size= values): against the request size (log x),
# the median latency of free (HAS_FREE; else the time per op, which for
# blocks whose pages are written is mostly page-fault cost, the same for
# every allocator), the mmap calls made (when counted), and the RSS still held at
# the end of the timed region, after the blocks were freed (the article's
# point: heap memory stays, mmapped memory goes). glibc's default
# M_MMAP_THRESHOLD (128 KiB) is marked when the sizes reach it (MARK).
# Data columns: size_bytes ns_per_op mmap_calls rss_held_mib rss_peak_growth_mib
# free_p50_ns.
NP = HAS_MMAP ? 3 : 2
KEYCOLS = NS > 12 ? 2 : 1
eval termcmd(KEYCOLS == 2 ? 1400 : 950, 80 + 270 * NP)
# one key for every panel, at the right; panels share the same width
RM = KEYCOLS == 2 ? 0.58 : 0.74
set multiplot layout NP, 1 title TITLE_TEXT font TFONT
set rmargin at screen RM
set logscale x 2
set xtics ('16 B' 16, '64 B' 64, '256 B' 256, '1 KiB' 1024, '4 KiB' 4096, '16 KiB' 16384, \
           '64 KiB' 65536, '256 KiB' 262144, '1 MiB' 1048576, '4 MiB' 4194304, \
           '16 MiB' 16777216, '64 MiB' 67108864)
set offsets graph 0.02, graph 0.02, 0, 0
set xlabel 'request size (log scale)'
if (MARK) set arrow 1 from 131072, graph 0 to 131072, graph 1 nohead dt 3 lw 1.5 lc rgb '#444444' front; \
    set label 1 'dotted: 128 KiB, glibc default M_MMAP_THRESHOLD' at graph 0.02, graph 0.94 left front
set key at screen RM + 0.03, screen 0.93 left top vertical Left reverse maxcols KEYCOLS

if (!exists("HAS_FREE")) HAS_FREE = 0
YCOL = HAS_FREE ? 6 : 2
set ylabel (HAS_FREE ? 'free: median latency (ns)' : 'time per op (ns)')
set label 2 (HAS_FREE ? "free only: a malloc's time includes writing its pages (page faults)" : \
             'includes writing every page: mostly page-fault cost') at graph 0.02, graph 0.84 left front
if (LOGY) set logscale y 10; set format y '%.0s%c'
plot for [i = 1:NS] DATA index (i - 1) using 1:YCOL with linespoints title TITLE[i] lt sty(i)
unset label 2
unset logscale y
unset label 1
unset key
set format y '%g'
set yrange [0:*]

if (HAS_MMAP) set ylabel 'mmap calls'; \
    plot for [i = 1:NS] DATA index (i - 1) using 1:3 with linespoints title TITLE[i] lt sty(i)

set ylabel 'RSS held after free (MiB)'
plot for [i = 1:NS] DATA index (i - 1) using 1:4 with linespoints title TITLE[i] lt sty(i)
unset multiplot
