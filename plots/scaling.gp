# scaling.gp - throughput against thread count per module, median of the
# repetitions with min..max error bars (NOTE says so, and which modules
# have no point and why).
eval termcmd(900, 520)
set title TITLE_TEXT font TFONT
set xlabel 'threads'
set ylabel 'throughput (million ops/s)'
# long or many module labels (KEYBELOW): the legend below the plot, with
# the lines it takes, so that it does not squeeze the plot to a strip
KEYLINES = keylines(NS)
set bmargin 4 + NOTELINES + KEYLINES
eval notecmd
eval keycmd
# a tick at each thread count run (XTICS), log x where they span 16x
if (exists("XTICS")) { eval 'set xtics (' . XTICS . ')' } else { set xtics 1 }
if (exists("LOGX") && LOGX) set logscale x 2; set xlabel 'threads (log scale)'
set autoscale xfix
set offsets graph 0.05, graph 0.05, 0, 0
set yrange [0:*]
# A thread count without a point (a failed or skipped trial) breaks the
# module's line: style.gp's `set datafile missing 'NaN'` would join its
# neighbours, drawing a throughput at that count that was never measured.
unset datafile missing
plot for [i = 1:NS] DATA index (i - 1) using 1:($2 / 1e6):($3 / 1e6):($4 / 1e6) \
    with yerrorlines title TITLE[i] lt sty(i)
