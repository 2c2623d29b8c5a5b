# subjects.gp — redraw with: gnuplot subjects.gp (in this folder)
set terminal pngcairo size 750,480 font 'sans,9' noenhanced
set output 'subjects.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 3,5 title "Built-in subjects: five photos each; DreamBooth trains on the first four" font 'sans,12'
set title "split-ball on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "split-ball on sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "split-ball in snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "split-ball in a city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "split-ball on water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "teal-cup on sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "teal-cup on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "teal-cup at night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "teal-cup in snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "teal-cup in a city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "dotted-box on water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "dotted-box in a city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "dotted-box on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "dotted-box at night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 13 using 1:2:3:4:5 with rgbimage
set title "dotted-box on sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'subjects.dat' index 14 using 1:2:3:4:5 with rgbimage
unset multiplot
