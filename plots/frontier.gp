# frontier.gp - allocscope tune: each configuration's median replay time
# against its median peak RSS growth. DATA index 0: every configuration
# (columns: time_ms, rss_mib, frontier, recommended, baseline, label,
# label_side: 1 above the point, -1 below);
# index 1: the Pareto frontier by time, drawn as the staircase that bounds
# what is dominated, its members labelled. The baseline (glibc's defaults)
# and the recommendation are marked. LOGX: the times span decades.
eval termcmd(960, 580)
set title TITLE_TEXT font TFONT
set xlabel 'replay time, median of the repetitions (ms)'
set ylabel 'peak RSS growth, median (MiB)'
set bmargin 4 + NOTELINES
eval notecmd
set grid xtics ytics lc rgb '#dddddd' lw 1 dt 1
set offsets graph 0.04, graph 0.22, graph 0.08, graph 0.08
set key outside right top vertical Left reverse
if (LOGX) set logscale x 10; set format x logfmt(1)
plot DATA index 1 using 1:2 with steps lc rgb '#0072B2' lw 2 title 'Pareto frontier', \
     DATA index 0 using 1:2 with points pt 7 ps 1.1 lc rgb '#999999' title 'configuration', \
     DATA index 1 using 1:2 with points pt 7 ps 1.5 lc rgb '#0072B2' title 'on the frontier', \
     DATA index 1 using 1:2:($7 > 0 ? stringcolumn(6) : '') with labels left offset 1, 0.8 \
         font PFONT notitle, \
     DATA index 1 using 1:2:($7 < 0 ? stringcolumn(6) : '') with labels left offset 1, -0.9 \
         font PFONT notitle, \
     DATA index 0 using 1:($5 == 1 ? $2 : NaN) with points pt 4 ps 2.6 lw 2 lc rgb '#000000' \
         title 'baseline: glibc defaults', \
     DATA index 0 using 1:($4 == 1 ? $2 : NaN) with points pt 6 ps 3.4 lw 3 lc rgb '#D55E00' \
         title 'recommended'
