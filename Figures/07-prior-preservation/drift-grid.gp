# drift-grid.gp — redraw with: gnuplot drift-grid.gp (in this folder)
set terminal pngcairo size 1040,420 font 'sans,9' noenhanced
set output 'drift-grid.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 3,8 title "\"a ball\", same seeds: base model; without the prior (judged the subject: 100 %); with it (0 %)" font 'sans,12'
set title "base model"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 0 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 1 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 2 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 3 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 4 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 5 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 6 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "without prior"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 8 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 9 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 10 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 11 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 12 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 13 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 14 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 15 using 1:2:3:4:5 with rgbimage
set title "with prior (λ = 1)"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 16 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 17 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 18 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 19 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 20 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 21 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 22 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'drift-grid.dat' index 23 using 1:2:3:4:5 with rgbimage
unset multiplot
