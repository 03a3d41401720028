# time.gp - time per op per module and workload, median of the repetitions
# with min..max error bars (trials.csv ns_per_op).
eval termcmd(barsw(NCAT, NS), barsh(NCAT, NS))
set title TITLE_TEXT font TFONT
set ylabel 'time per op (ns)'
set yrange [0:*]
if (LOGY) set yrange [*:*]
set ylabel 'time per op (ns' . (LOGY ? ', log scale)' : ')')
load 'bars.gp'
