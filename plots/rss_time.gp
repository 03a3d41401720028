# rss_time.gp - RSS growth since the start of the timed region against
# elapsed time, per module (same samples as rss_ops.gp).
eval termcmd(900, 520)
set title TITLE_TEXT font TFONT
set xlabel 'time in the timed region (ms)'
set ylabel 'RSS growth (MiB)'
set yrange [0:*]
# NOTE (under --min-time): what the x range covers
KEYLINES = keylines(NS)
if (NOTE ne '') set bmargin 4 + NOTELINES + KEYLINES
eval notecmd
eval keycmd
plot for [i = 1:NS] DATA index (i - 1) using 2:3 with linespoints lt sty(i) pointinterval -8 \
         title TITLE[i]
