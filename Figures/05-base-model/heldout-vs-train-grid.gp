# heldout-vs-train-grid.gp — redraw with: gnuplot heldout-vs-train-grid.gp (in this folder)
set terminal pngcairo size 1290,460 font 'sans,9' noenhanced
set output 'heldout-vs-train-grid.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 2,6 title "Top row: compositions never drawn in training; bottom row: compositions that were" font 'sans,12'
set title "purple checkered ball at night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "blue striped star in snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "green plain house in snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "purple dotted house at night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "red checkered heart on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "purple dotted tree at night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "blue striped cup in snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "pink plain ball on sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "blue plain star on sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "green plain box at night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "brown plain box at night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "brown plain box on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'heldout-vs-train-grid.dat' index 11 using 1:2:3:4:5 with rgbimage
unset multiplot
