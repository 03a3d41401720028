# pass_time.gp - time of one pass of the op stream per module and workload
# (trials.csv elapsed_ns / passes, in ms), median of the repetitions with
# min..max error bars: where ns/op does not compare rows (a suite's phase
# scenario: a reset is one op, frees are one op each).
eval termcmd(barsw(NCAT, NS), barsh(NCAT, NS))
set title TITLE_TEXT font TFONT
set yrange [0:*]
if (LOGY) set yrange [*:*]
set ylabel 'time per pass (' . YUNIT . (LOGY ? ', log scale)' : ')')
load 'bars.gp'
