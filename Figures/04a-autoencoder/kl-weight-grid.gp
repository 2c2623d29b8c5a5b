# kl-weight-grid.gp — redraw with: gnuplot kl-weight-grid.gp (in this folder)
set terminal pngcairo size 840,480 font 'sans,9' noenhanced
set output 'kl-weight-grid.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 3,6 title "Reconstructions after 300 steps at three KL weights (the last two of each row: decoded from a\nlatent with noise added)" font 'sans,12'
set title "β 0"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "β 0"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "β 0"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "β 0"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "β 0, noisy z"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "β 0, noisy z"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "β 0.0001"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "β 0.0001"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "β 0.0001"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "β 0.0001"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "β 0.0001, noisy z"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "β 0.0001, noisy z"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "β 0.01"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "β 0.01"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 13 using 1:2:3:4:5 with rgbimage
set title "β 0.01"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 14 using 1:2:3:4:5 with rgbimage
set title "β 0.01"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 15 using 1:2:3:4:5 with rgbimage
set title "β 0.01, noisy z"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 16 using 1:2:3:4:5 with rgbimage
set title "β 0.01, noisy z"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'kl-weight-grid.dat' index 17 using 1:2:3:4:5 with rgbimage
unset multiplot
