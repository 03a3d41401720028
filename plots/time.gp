# time.gp - time per op per module and workload, median of the repetitions
# with min..max error bars (trials.csv ns_per_op).
eval termcmd(900, 520)
set title TITLE_TEXT
set ylabel 'time per op (ns)'
set yrange [0:*]
if (LOGY) set yrange [*:*]
load 'bars.gp'
