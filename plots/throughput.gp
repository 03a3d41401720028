# throughput.gp - ops per second per module and workload, median of the
# repetitions with min..max error bars (trials.csv ops_per_sec).
eval termcmd(barsw(NCAT, NS), barsh(NCAT, NS))
set title TITLE_TEXT font TFONT
set ylabel 'throughput (' . YUNIT . (LOGY ? ', log scale)' : ')')
set yrange [0:*]
if (LOGY) set yrange [*:*]
load 'bars.gp'
