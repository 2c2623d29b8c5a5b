# prompt-seed-grid.gp — redraw with: gnuplot prompt-seed-grid.gp (in this folder)
set terminal pngcairo size 950,980 font 'sans,9' noenhanced
set output 'prompt-seed-grid.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 5,5 title "Rows: prompts (the first three never drawn in training); columns: seeds. DDIM 25, guidance 3" font 'sans,12'
set title "seed 1: a purple checkered ball\nat night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "seed 2\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "seed 3\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "seed 4\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "seed 5\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "seed 1: a blue striped star in\nsnow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "seed 2\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "seed 3\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "seed 4\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "seed 5\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "seed 1: a green plain house in\nsnow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "seed 2\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "seed 3\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "seed 4\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 13 using 1:2:3:4:5 with rgbimage
set title "seed 5\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 14 using 1:2:3:4:5 with rgbimage
set title "seed 1: a sketch of a star\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 15 using 1:2:3:4:5 with rgbimage
set title "seed 2\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 16 using 1:2:3:4:5 with rgbimage
set title "seed 3\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 17 using 1:2:3:4:5 with rgbimage
set title "seed 4\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 18 using 1:2:3:4:5 with rgbimage
set title "seed 5\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 19 using 1:2:3:4:5 with rgbimage
set title "seed 1: a painting of a house\non sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 20 using 1:2:3:4:5 with rgbimage
set title "seed 2\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 21 using 1:2:3:4:5 with rgbimage
set title "seed 3\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 22 using 1:2:3:4:5 with rgbimage
set title "seed 4\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 23 using 1:2:3:4:5 with rgbimage
set title "seed 5\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prompt-seed-grid.dat' index 24 using 1:2:3:4:5 with rgbimage
unset multiplot
