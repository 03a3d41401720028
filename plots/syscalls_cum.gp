# syscalls_cum.gp - memory system calls (brk, mmap, munmap, mremap, madvise,
# mprotect together) made so far, against ops completed, per module.
eval termcmd(900, 520)
set title TITLE_TEXT font TFONT
set xlabel 'ops completed' . XUNIT
set ylabel 'memory system calls so far'
# log y when the modules' totals span decades (one module's 58k would
# flatten the others' tens); a count of 0 is then not drawn
if (LOGY) {
    set logscale y 10
    set format y logfmt(1)
    set ylabel 'memory system calls so far (log scale)'
} else {
    set yrange [0:*]
}
# NOTE (under --min-time): what the x range covers
KEYLINES = keylines(NS)
if (NOTE ne '') set bmargin 4 + NOTELINES + KEYLINES
eval notecmd
eval keycmd
plot for [i = 1:NS] DATA index (i - 1) using ($1 / XDIV):($7 > 0 || !LOGY ? $7 : NaN) \
         with linespoints lt sty(i) pointinterval -8 title TITLE[i]
