# syscalls.gp - memory system calls in the timed region, per call kind and
# module (trials.csv *_calls, median of the repetitions, min..max bars).
# Log y when counts span decades; a zero count then shows no bar (the
# report's table has every number).
eval termcmd(barsw(NCAT, NS), 500 + 14 * NLINES)
set title TITLE_TEXT font TFONT
set xlabel 'system call'
set ylabel 'calls in the timed region'
set yrange [0:*]
if (LOGY) set yrange [0.8:*]
load 'bars.gp'
