# table3.gp — redraw with: gnuplot table3.gp (in this folder)
set terminal pngcairo size 931,128 font 'sans,10' noenhanced
set output 'table3.png'
set title "Table 3 in miniature (3 subjects): the prior takes PRES from 0.85 to 0.35 and DIV from 0.21 to 0.31" font 'sans,12'
unset border; unset tics; unset key
set xrange [0:1]; set yrange [4:0]
set lmargin 1; set rmargin 1; set bmargin 1; set tmargin 3
set label 1 "run                       PRES ↓   drift (judged) ↓   DIV ↑   DINO    paper PRES / DIV" at graph 0.01, first 0.5 font 'DejaVu Sans Mono,10'
set label 2 "with prior preservation   0.350    0.250              0.313   0.638   0.493 / 0.391" at graph 0.01, first 1.5 font 'DejaVu Sans Mono,10'
set label 3 "without                   0.850    0.792              0.210   0.790   0.664 / 0.371" at graph 0.01, first 2.5 font 'DejaVu Sans Mono,10'
set label 4 "PRES lower with the prior: matches; DIV higher with it: matches" at graph 0.01, first 3.5 font 'DejaVu Sans Mono,10'
plot NaN notitle
