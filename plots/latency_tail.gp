# latency_tail.gp - the tail of one op kind's latency per module
# (histogram.csv, first completed repetition): for each latency x, the share
# of timed calls slower than x (1 - CDF), log x and log y, so that the rare
# slow calls (1 in 1000, 1 in a million) are as visible as the typical
# ones. x spans the buckets that have calls (XMIN..XMAX).
eval termcmd(900, 520)
set title TITLE_TEXT font TFONT
set xlabel 'latency x (ns, log scale)'
set ylabel 'share of calls slower than x (log scale)'
set logscale x 10
set logscale y 10
set format x logfmt(1)
set format y '%g'
if (XMIN == XMIN && XMAX == XMAX && XMAX > XMIN) set xrange [XMIN < 1.5 ? 1 : XMIN / 1.5:XMAX * 1.5]
set yrange [*:1.2]
set grid xtics ytics lc rgb '#dddddd'
# NOTE: which repetition each curve is (one, not a median)
KEYLINES = keylines(NS)
if (NOTE ne '') set bmargin 4 + NOTELINES + KEYLINES
eval notecmd
eval keycmd
plot for [i = 1:NS] DATA index (i - 1) using 1:3 with lines title TITLE[i] lt sty(i), \
     for [i = 1:NS] DATA index (i - 1) using 1:3 every PEVERY with points notitle lt sty(i)
