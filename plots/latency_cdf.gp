# latency_cdf.gp - cumulative distribution of one op kind's latency per
# module (histogram.csv, first completed repetition), log x.
eval termcmd(900, 520)
set title TITLE_TEXT font TFONT
set xlabel 'latency (ns, log scale)'
set ylabel 'fraction of timed ops at or below'
set logscale x 10
set format x '%.0s%c'
set yrange [0:1.02]
set ytics 0.1
plot for [i = 1:NS] DATA index (i - 1) using 1:2 with steps title TITLE[i] lt sty(i), \
     for [i = 1:NS] DATA index (i - 1) using 1:2 every PEVERY with points notitle lt sty(i)
