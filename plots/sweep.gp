# sweep.gp - a size sweep (the article's mmap threshold scenario, or any
# workload run at several size= values): against the request size (log x),
# the median latency of free (HAS_FREE; else the time per op, which for
# blocks whose pages are written is mostly page-fault cost, the same for
# every allocator), the mmap calls made (when counted), and the RSS still held at
# the end of the timed region, after the blocks were freed (the article's
# point: heap memory stays, mmapped memory goes). glibc's default
# M_MMAP_THRESHOLD (128 KiB) is marked when the sizes reach it (MARK).
# HAS_TIME=0 (trials run side by side, --jobs: untimed) leaves the time row out.
# One row per measure, one column per variant (VTITLE[1..NV]: the params
# that tell two series of one module apart, e.g. prime=1m, and the
# threads), one line per module (TITLE/LT[1..NS]) in every panel: the
# legend names the modules only. The panels of a row share the x and y
# ranges (XLO/XHI, Y1LO/Y1HI, Y2HI, Y3LO/Y3HI), so only the first column
# has y tick labels.
# Data: one block per (variant, module) with points: variant v's blocks are
# VB0[v]..VB1[v], block b is series BM[b]. Columns: size_bytes ns_per_op mmap_calls rss_held_mib
# rss_peak_growth_mib free_p50_ns.
# A size without a value (no timed free at 120 KiB and 128 KiB: 34 and 32
# frees, none every 64th op) breaks its line: style.gp's `set datafile
# missing 'NaN'` would join the points on either side, drawing a rise
# through the threshold that was never measured.
unset datafile missing
if (!exists("HAS_TIME")) HAS_TIME = 1
NP = (HAS_TIME ? 1 : 0) + (HAS_MMAP ? 1 : 0) + 1
# the measure of row p: 1 time (or free's latency), 2 mmap calls, 3 RSS held
rm(p) = HAS_TIME ? (HAS_MMAP ? p : (p == 1 ? 1 : 3)) : (HAS_MMAP ? p + 1 : 3)
HASVT = NV > 1 || strlen(VTITLE[1]) > 0
# the key takes KEYPX at the right: 190 px, or the longest legend label
# (KEYCH characters of about 0.6 em, after the sample) where that is
# wider, the chart growing by as much (a fixed 190 px cut two long
# variants of one module to the same "refmalloc:mmap"). An em in pixels
# of the 1x size: png 96 dpi (4/3 px a point), svg 1 px, pdf 130/72.
if (!exists("KEYCH")) KEYCH = 0
KEYPX = 80.0 + 0.6 * TERMFONT * (FMT eq "png" ? 4.0 / 3 : FMT eq "pdf" ? 130.0 / 72 : 1) * KEYCH
KEYPX = KEYPX < 190.0 ? 190.0 : KEYPX
eval termcmd((NV == 1 ? 950 : 210 + 420 * NV) + int(KEYPX - 190), \
             82 + (HASVT ? 22 : 0) + 250 * NP + 19 * NOTELINES)
# panel geometry in pixels of the 1x size (TW x TH, set by termcmd)
LPX = 82.0; GAPX = 24.0; ROWGAP = 42.0
TOPPX = (strlen(TITLE_TEXT) > 0 ? 64.0 : 14.0) + (HASVT ? 22 : 0)
BOTPX = 68.0 + 19 * NOTELINES
PW = (TW - LPX - KEYPX - GAPX * (NV - 1)) / NV
RH = (TH - TOPPX - BOTPX - ROWGAP * (NP - 1)) / NP
pl(v) = (LPX + (v - 1) * (PW + GAPX)) / TW
pr(v) = pl(v) + PW / TW
pt(p) = 1.0 - (TOPPX + (p - 1) * (RH + ROWGAP)) / TH
pb(p) = pt(p) - RH / TH
# the measure of row p: its data column, axis label and range
if (!exists("HAS_FREE")) HAS_FREE = 0
YCOL = HAS_FREE ? 6 : 2
rcol(p) = rm(p) == 1 ? YCOL : (rm(p) == 3 ? 4 : 3)
rlab(p) = rm(p) == 1 ? (HAS_FREE ? 'free: median latency' : 'time per op') . \
                      (LOGY ? ' (ns, log scale)' : ' (ns)') : \
          (rm(p) == 3 ? 'RSS held after free (MiB)' : 'mmap calls')
rlo(p) = rm(p) == 1 ? Y1LO : (rm(p) == 3 ? Y3LO : 0)
rhi(p) = rm(p) == 1 ? Y1HI : (rm(p) == 3 ? Y3HI : Y2HI)

set multiplot title TITLE_TEXT font TFONT
unset key
set logscale x 2
set xrange [XLO:XHI]
# a tick every 4x where a panel has room, every 16x where it is narrow
# (--width 700: 16 KiB, 64 KiB, 256 KiB would run into each other)
if (PW >= 330) { \
    set xtics ('16 B' 16, '64 B' 64, '256 B' 256, '1 KiB' 1024, '4 KiB' 4096, '16 KiB' 16384, \
               '64 KiB' 65536, '256 KiB' 262144, '1 MiB' 1048576, '4 MiB' 4194304, \
               '16 MiB' 16777216, '64 MiB' 67108864) \
} else { \
    set xtics ('16 B' 16, '256 B' 256, '4 KiB' 4096, '64 KiB' 65536, '1 MiB' 1048576, \
               '16 MiB' 16777216) \
}
if (MARK) set arrow 1 from 131072, graph 0 to 131072, graph 1 nohead dt 3 lw 1.5 lc rgb '#444444' front
do for [v = 1:NV] {
    do for [p = 1:NP] {
        set lmargin at screen pl(v)
        set rmargin at screen pr(v)
        set tmargin at screen pt(p)
        set bmargin at screen pb(p)
        if (p == 1 && HASVT) { set title VTITLE[v] font PFONT } else { unset title }
        if (p == NP) { set xlabel 'request size (log scale)' } else { unset xlabel }
        if (v == 1) { set ylabel rlab(p) } else { unset ylabel }
        if (rm(p) == 1 && LOGY) { set logscale y 10; YF = '%.0s%c' } else { unset logscale y; YF = '%g' }
        set format y (v == 1 ? YF : '')
        set yrange [rlo(p):rhi(p)]
        if (p == NP && v == NV && NOTE ne '') { set label 99 NOTE at character 1, character NOTELINES left front font PFONT } else { unset label 99 }
        plot for [b = VB0[v]:VB1[v]] DATA index (b - 1) using 1:(column(rcol(p))) \
                 with linespoints notitle lt sty(BM[b])
    }
}
# the legend: the modules, once, in a panel of its own at the right that
# spans every row (a key inside one panel would wrap out of the canvas)
set lmargin at screen 1.0 - (KEYPX - 10.0) / TW
set rmargin at screen 0.995
set tmargin at screen pt(1)
set bmargin at screen pb(NP)
unset title; unset xlabel; unset ylabel; unset label 99; unset arrow 1
unset border; unset tics; unset grid; unset logscale
set xrange [0:1]; set yrange [0:1]
set key inside left top vertical Left reverse maxrows NS
plot for [s = 1:NS] NaN with linespoints title TITLE[s] lt sty(s)
unset multiplot
