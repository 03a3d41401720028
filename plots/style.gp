# style.gp - loaded before every chart script: output terminal for FMT
# (png, svg, pdf) at SCALE (2 = PNG for high-density screens), and the one
# style table (colour, point type, dash, fill pattern) the series use. Colours: Okabe-Ito (colour-blind safe); point type, dash type
# and fill pattern differ too, so charts stay readable printed in grey.
# Variables set by allocscope: FMT, SCALE, OUT, DATA, TITLE_TEXT, NS,
# TITLE[1..NS] (legend entries), LT[1..NS] (linetypes), NOTE.

reset
if (!exists("SCALE")) SCALE = 1
if (!exists("FMT")) FMT = "png"

# Fonts: FONTNAME and FONTSIZE (points; allocscope plot --font) or the
# format's own size; the title a little larger.
if (!exists("FONTNAME")) FONTNAME = "DejaVu Sans"
if (!exists("FONTSIZE")) FONTSIZE = 0
TERMFONT = FONTSIZE > 0 ? FONTSIZE : (FMT eq "png") ? 11 : (FMT eq "svg") ? 12 : 8
BASEFONT = (FMT eq "png") ? TERMFONT * SCALE : TERMFONT
TFONT = sprintf(",%d", BASEFONT + 2 * (FMT eq "png" ? SCALE : 1))
PFONT = sprintf(",%d", BASEFONT + 1)

# Terminal and output at W x H (pixels at 1x), or at UW x UH when set
# (allocscope plot --width/--height); a chart script calls
#   eval termcmd(W, H)
if (!exists("UW")) UW = 0
if (!exists("UH")) UH = 0
termcmd(w, h) = (TW = UW > 0 ? UW : w, TH = UH > 0 ? UH : h, (FMT eq "png") ? \
    sprintf("set terminal pngcairo noenhanced size %d,%d font '%s,%d' linewidth %g; set output '%s'", \
            TW * SCALE, TH * SCALE, FONTNAME, BASEFONT, SCALE, OUT) : \
  (FMT eq "svg") ? \
    sprintf("set terminal svg noenhanced size %d,%d font '%s,%d' linewidth 1.2 background '#ffffff'; set output '%s'", \
            TW, TH, FONTNAME, BASEFONT, OUT) : \
    sprintf("set terminal pdfcairo noenhanced size %.2fin,%.2fin font '%s,%d'; set output '%s'", \
            TW / 130.0, TH / 130.0, FONTNAME, BASEFONT, OUT))

# Width of a bar chart: room for every bar, within 900..1400 pixels.
barsw(ncat, ns) = (w = 250 + 40 * ncat * (ns + 1), w < 900 ? 900 : w > 1400 ? 1400 : w)
# Its tick labels (NLINES lines, the longest LINECH characters; LABCH on
# one line) are rotated where a line is wider than its category (a narrow
# chart, plot --width; many categories); the lines they take, and the
# chart's height.
if (!exists("NLINES")) NLINES = 1
if (!exists("LINECH")) LINECH = 0
if (!exists("LABCH")) LABCH = 0
barsrot(ncat, ns) = (bw = UW > 0 ? UW : barsw(ncat, ns), \
    LABCH > 0 && LINECH * 0.6 * TERMFONT > 0.95 * (bw - (bw < 900 ? 110.0 : 260.0)) / (ncat > 0 ? ncat : 1))
barslines(ncat, ns) = barsrot(ncat, ns) ? ceil(LABCH * 0.5 * sin(40 * pi / 180)) + 1 : NLINES
barsh(ncat, ns) = 500 + 14 * barslines(ncat, ns)

# A tick step for an axis from 0 to r with at most n ticks: 1, 2 or 5
# times a power of ten (labels that fit a narrow panel).
nicestep(r, n) = (b = 10**floor(log10(r / n)), r / b <= n ? b : r / (2 * b) <= n ? 2 * b : \
                  r / (5 * b) <= n ? 5 * b : 10 * b)

# The fixed table: one linetype per known module (allocscope picks it,
# harness/plot_labels.c): 1..10 the known modules, 11..16 for other modules
# and for a second series of one module, 21.. the same colours with
# other dashes when a chart has more than 16 series.
set linetype 1  lc rgb '#0072B2' lw 2 pt 7  ps 1.1 dt 1             # glibc
set linetype 2  lc rgb '#D55E00' lw 2 pt 5  ps 1.0 dt 2             # refmalloc
set linetype 3  lc rgb '#009E73' lw 2 pt 9  ps 1.2 dt 3             # bump
set linetype 4  lc rgb '#CC79A7' lw 2 pt 11 ps 1.2 dt 4             # pool
set linetype 5  lc rgb '#E69F00' lw 2 pt 13 ps 1.2 dt 5             # freelist
set linetype 6  lc rgb '#999933' lw 2 pt 6  ps 1.1 dt (8,3,2,3)     # arena
set linetype 7  lc rgb '#000000' lw 2 pt 4  ps 1.0 dt 1             # jemalloc
set linetype 8  lc rgb '#8C510A' lw 2 pt 8  ps 1.2 dt 2             # tcmalloc
set linetype 9  lc rgb '#6A3D9A' lw 2 pt 12 ps 1.2 dt 3             # mimalloc
set linetype 10 lc rgb '#888888' lw 2 pt 1  ps 1.3 dt 4             # null
set linetype 11 lc rgb '#56B4E9' lw 2 pt 2  ps 1.2 dt (2,2)
set linetype 12 lc rgb '#882255' lw 2 pt 3  ps 1.2 dt (10,3)
set linetype 13 lc rgb '#44AA99' lw 2 pt 10 ps 1.2 dt (4,2,1,2)
set linetype 14 lc rgb '#DDAA33' lw 2 pt 14 ps 1.2 dt (6,6)
set linetype 15 lc rgb '#332288' lw 2 pt 15 ps 1.2 dt (1,3)
set linetype 16 lc rgb '#EE3377' lw 2 pt 3  ps 1.2 dt (12,3,3,3)
COLORS = "#0072B2 #D55E00 #009E73 #CC79A7 #E69F00 #999933 #000000 #8C510A #6A3D9A #888888 #56B4E9 #882255 #44AA99 #DDAA33 #332288 #EE3377"
VPTS = "6 4 8"
do for [v = 1:3] {
    VDT = v + 1
    VPT = int(word(VPTS, v))
    do for [L = 1:16] {
        set linetype (L + 20 * v) lc rgb word(COLORS, L) lw 2 pt VPT ps 1.1 dt VDT
    }
}

# Fill pattern for bars: 3 is solid, 1, 2, 4..7 hatchings (never 0, empty:
# a hollow bar is hard to see).
PATTERNS = "3 1 4 5 2 6 7 1 4 2 5 6 7 1 4 2"
# Style of series i (arrays LT and TITLE set by allocscope).
sty(i) = LT[i]
pat(i) = (p = int(word(PATTERNS, (LT[i] - 1) % 20 + 1)) + int((LT[i] - 1) / 20), \
          p > 7 ? p - 6 : p)

# A note under the chart (NOTE, set by allocscope: what the whiskers are,
# which modules have no bar and why), and the bottom margin lines it takes.
# Its lines are wrapped at a space to fit the narrowest chart (900 px, or
# --width when narrower): at most about 0.7 em a character in DejaVu Sans, a
# PDF's points at 130 px an inch.
if (!exists("NOTE")) NOTE = ""
NOTECH = int((((UW > 0 && UW < 900) ? UW : 900) - 30) / \
         (0.7 * (TERMFONT + 1) * (FMT eq "pdf" ? 130.0 / 72 : 1)))
NOTECH = NOTECH < 20 ? 20 : NOTECH
wrap_rest = NOTE
NOTE = ""
while (strlen(wrap_rest) > 0) {
    wrap_nl = strstrt(wrap_rest, "\n")
    wrap_line = wrap_nl > 0 ? wrap_rest[1:wrap_nl - 1] : wrap_rest
    wrap_rest = wrap_nl > 0 ? wrap_rest[wrap_nl + 1:] : ""
    while (strlen(wrap_line) > NOTECH) {
        wrap_cut = NOTECH + 1
        while (wrap_cut > 1 && wrap_line[wrap_cut:wrap_cut] ne " ") {
            wrap_cut = wrap_cut - 1
        }
        if (wrap_cut <= 1) {
            wrap_cut = NOTECH + 1
        }
        NOTE = NOTE . wrap_line[1:wrap_cut - 1] . "\n"
        wrap_line = "    " . wrap_line[wrap_cut + 1:]
    }
    NOTE = NOTE . wrap_line . (wrap_nl > 0 ? "\n" : "")
}
NOTELINES = (NOTE eq "") ? 0 : 1 + sum [j = 1:strlen(NOTE)] (NOTE[j:j] eq "\n" ? 1 : 0)
# KEYLINES: the lines a legend below the plot takes (keylines), which the
# note sits above: at the bottom it ran into the legend's entries.
KEYLINES = 0
notecmd = "if (NOTE ne '') set label 99 NOTE at character 1, character NOTELINES + KEYLINES left front font PFONT"

# Common look.
set termoption noenhanced
set encoding utf8
set border 3 lw 1
set tics nomirror out scale 0.6
set grid ytics lc rgb '#dddddd' lw 1 dt 1
set key outside right top vertical Left reverse noautotitle spacing 1.2 samplen 3
set datafile missing 'NaN'

# Tick labels of a log axis: decades, with k/M/G from 1 up; below 1 plain
# numbers (an "m" prefix would read as millions under a "million" label).
logfmt(lo) = lo >= 1 ? '%.0s%c' : '%g'

# The legend of a line chart: at the right while the labels are short and
# few, below the plot otherwise (it must not take half the width).
keycmd = (exists("KEYBELOW") && KEYBELOW) ? \
    "set key below horizontal Left reverse maxrows 4" : \
    "set key outside right top vertical Left reverse"
# The lines that legend of n entries takes below the plot (0 at the right):
# at most 4 rows, 1.2 lines apart (spacing above), and a line's gap.
keylines(n) = (exists("KEYBELOW") && KEYBELOW) ? ceil((n < 4 ? n : 4) * 1.2) + 1 : 0
