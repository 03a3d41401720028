# rss_ops.gp - RSS growth since the start of the timed region against ops
# completed, per module, with the requested bytes live at that point as the
# dashed reference: the gap is the allocator's overhead and what it keeps.
# XDIV/XUNIT: ops in thousands or millions (plain tick numbers, no rounding).
eval termcmd(900, 520)
set title TITLE_TEXT font TFONT
set xlabel 'ops completed' . XUNIT
set ylabel 'memory (MiB)'
set yrange [0:*]
eval keycmd
plot for [i = 1:NS] DATA index (i - 1) using ($1 / XDIV):3 with linespoints lt sty(i) \
         pointinterval -8 title TITLE[i], \
     DATA index 0 using ($1 / XDIV):6 with lines lc rgb '#000000' lw 2.5 dt (6,4) \
         title 'live requested bytes'
