# recontextualization.gp — redraw with: gnuplot recontextualization.gp (in this folder)
set terminal pngcairo size 910,450 font 'sans,9' noenhanced
set output 'recontextualization.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 3,7 title "Recontextualization, \"a sks <noun> <context>\" (first column: a real photo); context as asked:\nsplit-ball 100 %, teal-cup 96 %, dotted-box 83 %" font 'sans,12'
set title "split-ball (real)"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "on sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "in snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "on water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "at night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "in a city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "teal-cup (real)"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "on sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "in snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "on water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "at night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "in a city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 13 using 1:2:3:4:5 with rgbimage
set title "dotted-box (real)"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 14 using 1:2:3:4:5 with rgbimage
set title "on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 15 using 1:2:3:4:5 with rgbimage
set title "on sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 16 using 1:2:3:4:5 with rgbimage
set title "in snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 17 using 1:2:3:4:5 with rgbimage
set title "on water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 18 using 1:2:3:4:5 with rgbimage
set title "at night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 19 using 1:2:3:4:5 with rgbimage
set title "in a city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'recontextualization.dat' index 20 using 1:2:3:4:5 with rgbimage
unset multiplot
