# metadata.gp - bytes of RSS per live block per module, for workloads of one
# fixed block size; the dashed line is the requested size itself (no
# overhead at all).
eval termcmd(barsw(NCAT, NS), barsh(NCAT, NS))
set title TITLE_TEXT font TFONT
set ylabel 'RSS per live block (bytes)'
# linear always: 64 against 80 bytes is the point, and 0 must show
LOGY = 0
set yrange [0:*]
if (REF == REF) set arrow from graph 0, first REF to graph 1, first REF nohead dt 2 lw 1.5 lc rgb '#000000' front; \
    set label sprintf('requested: %g bytes', REF) at graph 0.01, first REF offset 0, 0.6 front
load 'bars.gp'
