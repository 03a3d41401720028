# heap_mmap.gp - where the resident memory lives, over time: the brk heap
# (solid) and anonymous mmap memory (hatched) stacked, one panel per module,
# with the live requested bytes dashed. Two fixed fills, not module colours:
# the panel title names the module.
ROWS = int((NS + 1) / 2)
COLS = NS > 1 ? 2 : 1
eval termcmd(COLS == 1 ? 900 : 1100, 60 + 330 * ROWS + 22 * NOTELINES)
# NOTE (under --min-time: what the x range covers) under the title: below
# the panels it would run into their keys
set multiplot layout ROWS, COLS title TITLE_TEXT . (NOTE ne '' ? "\n" . NOTE : '') font TFONT
set xlabel 'time in the timed region (ms)'
set ylabel 'resident (MiB)'
set yrange [0:*]
set key below horizontal Left reverse
do for [i = 1:NS] {
    set title TITLE[i] font PFONT
    # x ticks about 70 px apart, so they stay apart in a narrow panel
    STATS_records = 0
    stats DATA index (i - 1) using 2 nooutput
    if (STATS_records > 0 && STATS_max > 0) { set xtics nicestep(STATS_max, TW / COLS / 70.0) } else { set xtics autofreq }
    plot DATA index (i - 1) using 2:4 with filledcurves x1 fillstyle solid 0.55 \
             lc rgb '#0072B2' title 'brk heap', \
         DATA index (i - 1) using 2:4:($4 + $5) with filledcurves \
             fillstyle pattern 4 lc rgb '#D55E00' title 'mmap (stacked on heap)', \
         DATA index (i - 1) using 2:6 with lines lc rgb '#000000' lw 2 dt (6,4) \
             title 'live requested'
}
unset multiplot
