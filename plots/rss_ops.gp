# rss_ops.gp - RSS growth since the start of the timed region against ops
# completed, per module, with that module's requested bytes live at that
# point as its dashed reference (thin, in the module's colour: the modules'
# live bytes differ, e.g. xmalloc's queue at 2 threads): the gap is the
# allocator's overhead and what it keeps.
# XDIV/XUNIT: ops in thousands or millions (plain tick numbers, no rounding).
eval termcmd(900, 520)
set title TITLE_TEXT font TFONT
set xlabel 'ops completed' . XUNIT
set ylabel 'memory (MiB)'
set yrange [0:*]
# NOTE (under --min-time): what the x range covers
KEYLINES = keylines(NS + 1)  # and 'live requested'
if (NOTE ne '') set bmargin 4 + NOTELINES + KEYLINES
eval notecmd
eval keycmd
plot for [i = 1:NS] DATA index (i - 1) using ($1 / XDIV):3 with linespoints lt sty(i) \
         pointinterval -8 title TITLE[i], \
     for [i = 1:NS] DATA index (i - 1) using ($1 / XDIV):6 with lines lt sty(i) lw 1.2 \
         dt (6,4) notitle, \
     NaN with lines lc rgb '#000000' lw 1.2 dt (6,4) \
         title 'live requested (dashed)'
