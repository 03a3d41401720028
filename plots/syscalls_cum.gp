# syscalls_cum.gp - memory system calls (brk, mmap, munmap, mremap, madvise,
# mprotect together) made so far, against ops completed, per module.
eval termcmd(900, 520)
set title TITLE_TEXT font TFONT
set xlabel 'ops completed'
set ylabel 'memory system calls so far'
set format x '%.0s%c'
set yrange [0:*]
plot for [i = 1:NS] DATA index (i - 1) using 1:7 with linespoints lt sty(i) pointinterval -8 \
         title TITLE[i]
