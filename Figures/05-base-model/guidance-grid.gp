# guidance-grid.gp — redraw with: gnuplot guidance-grid.gp (in this folder)
set terminal pngcairo size 780,710 font 'sans,9' noenhanced
set output 'guidance-grid.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 5,6 title "\"a purple dotted house at night\" (never drawn in training): rows g = 1.0, 2.0, 3.0,\n5.0, 8.0" font 'sans,12'
set title "g = 1.0"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 0 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 1 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 2 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 3 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 4 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "g = 2.0"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 6 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 7 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 8 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 9 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 10 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "g = 3.0"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 12 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 13 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 14 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 15 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 16 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 17 using 1:2:3:4:5 with rgbimage
set title "g = 5.0"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 18 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 19 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 20 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 21 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 22 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 23 using 1:2:3:4:5 with rgbimage
set title "g = 8.0"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 24 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 25 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 26 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 27 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 28 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'guidance-grid.dat' index 29 using 1:2:3:4:5 with rgbimage
unset multiplot
