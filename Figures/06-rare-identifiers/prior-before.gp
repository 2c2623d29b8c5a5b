# prior-before.gp — redraw with: gnuplot prior-before.gp (in this folder)
set terminal pngcairo size 900,510 font 'sans,9' noenhanced
set output 'prior-before.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 3,6 title "Before fine-tuning, \"a [V] ball in …\" (rows: sks judged green 12 %, green judged green 100 %, xqzt\njudged green 17 %): a color word already paints the ball" font 'sans,12'
set title "a sks ball, grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "a sks ball, sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "a sks ball, snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "a sks ball, water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "a sks ball, night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "a sks ball, city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "a green ball, grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "a green ball, sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "a green ball, snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "a green ball, water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "a green ball, night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "a green ball, city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "a xqzt ball, grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "a xqzt ball, sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 13 using 1:2:3:4:5 with rgbimage
set title "a xqzt ball, snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 14 using 1:2:3:4:5 with rgbimage
set title "a xqzt ball, water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 15 using 1:2:3:4:5 with rgbimage
set title "a xqzt ball, night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 16 using 1:2:3:4:5 with rgbimage
set title "a xqzt ball, city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'prior-before.dat' index 17 using 1:2:3:4:5 with rgbimage
unset multiplot
