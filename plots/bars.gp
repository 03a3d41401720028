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
# narrower than the default (plot --width), or long or many module labels
# (KEYBELOW): the legend above the bars, so the categories get the whole
# width (a legend of 60-character labels at the right left them a strip)
KEYTOP = TW < 900 || (exists("KEYBELOW") && KEYBELOW)
if (KEYTOP) set key outside top center horizontal Left reverse
# Tick labels wider than their category (barsrot in style.gp): each on
# one line (the data's last column), rotated.
ROT = barsrot(NCAT, NS)
LABCOL = ROT ? 3 * NS + 2 : 1
if (ROT) set xtics rotate by 40 right
if (KEYTOP || ROT) set rmargin 2
# XLABEL: the workload and the params the tick labels show as values alone
# (below the tick labels: gnuplot makes room for one line of them only)
if (!exists("XLABEL")) XLABEL = ""
TICKLINES = barslines(NCAT, NS)
if (XLABEL ne "") set xlabel XLABEL font PFONT offset 0, -(TICKLINES - 1)
set bmargin TICKLINES + 3 + NOTELINES + (XLABEL ne "" ? 1 : 0)
if (LOGY) set logscale y 10; set format y logfmt(YLO)
eval notecmd
plot for [i = 1:NS] DATA using (column(3 * i - 1)):(column(3 * i)):(column(3 * i + 1)):xtic(LABCOL) \
    title TITLE[i] lt sty(i) fillstyle pattern pat(i) border lt sty(i)
