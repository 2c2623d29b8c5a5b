# identifier-grid.gp — redraw with: gnuplot identifier-grid.gp (in this folder)
set terminal pngcairo size 900,510 font 'sans,9' noenhanced
set output 'identifier-grid.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 3,6 title "\"a [V] ball in …\" after fine-tuning, the six contexts; the asked context drawn: sks 100%, green 96%,\nxqzt 100%" font 'sans,12'
set title "sks: grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "green: grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "xqzt: grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 13 using 1:2:3:4:5 with rgbimage
set title "snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 14 using 1:2:3:4:5 with rgbimage
set title "water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 15 using 1:2:3:4:5 with rgbimage
set title "night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 16 using 1:2:3:4:5 with rgbimage
set title "city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'identifier-grid.dat' index 17 using 1:2:3:4:5 with rgbimage
unset multiplot
