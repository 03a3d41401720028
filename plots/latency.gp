# latency.gp - latency percentiles of one op kind per module (latency.csv:
# p50 .. p99.99 the median of the repetitions' own, max the largest of
# their maxima; NOTE says so), log y.
eval termcmd(900, 520)
set title TITLE_TEXT font TFONT
set xlabel 'percentile'
set ylabel 'latency (ns, log scale)'
set logscale y 10
set format y logfmt(1)
set xrange [-0.3:5.3]
# long or many module labels (KEYBELOW): the legend below the plot, with
# the lines it takes, so that it does not squeeze the plot to a strip
KEYLINES = keylines(NS)
set bmargin 4 + NOTELINES + KEYLINES
eval notecmd
eval keycmd
# every point at one value (a kind at 0 ns net of the harness is drawn at
# 1 ns): gnuplot's own range would be 0.99..1.01, a decade around it instead
if (exists('YLO') && YLO == YLO && YHI <= YLO) set yrange [YLO < 10 ? 1 : YLO / 10:YHI * 10]
plot for [i = 1:NS] DATA index (i - 1) using 1:3:xtic(2) with linespoints \
    title TITLE[i] lt sty(i)
