# bars.gp - shared by the bar charts (time, throughput, syscalls, metadata):
# one category per data row (label in column 1), one bar per module with its
# min..max over repetitions as an error bar (columns 3i-1, 3i, 3i+1).
# The chart script sets the labels and terminal first; LOGY picks a log y
# (YLO: the smallest value, for the tick format). NOTE (under the chart)
# says what the whiskers are and why a module has no bar.
set style data histogram
set style histogram errorbars gap 1.5 lw 1.5
set errorbars front lc rgb '#000000'
set boxwidth 0.9
set xtics nomirror
set bmargin NLINES + 3 + NOTELINES
if (LOGY) set logscale y 10; set format y logfmt(YLO)
eval notecmd
plot for [i = 1:NS] DATA using (column(3 * i - 1)):(column(3 * i)):(column(3 * i + 1)):xtic(1) \
    title TITLE[i] lt sty(i) fillstyle pattern pat(i) border lt sty(i)
