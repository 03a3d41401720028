# syscalls.gp - memory system calls in the timed region, per call kind and
# module (trials.csv *_calls, median of the repetitions, min..max bars).
# Log y when counts span decades, from 0.3 so that a count of 1 is a bar of
# half a decade; a zero count shows no bar (the report's table has every
# number). Call kinds no module made are left out.
eval termcmd(barsw(NCAT, NS), barsh(NCAT, NS))
set title TITLE_TEXT font TFONT
set xlabel 'system call'
set ylabel 'calls in the timed region' . (LOGY ? ' (log scale)' : '')
set yrange [0:*]
if (LOGY) set yrange [0.3:*]
load 'bars.gp'
