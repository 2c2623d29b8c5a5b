# art-renditions.gp — redraw with: gnuplot art-renditions.gp (in this folder)
set terminal pngcairo size 600,630 font 'sans,9' noenhanced
set output 'art-renditions.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 3,3 title "\"a sketch / painting of a sks <noun>\"" font 'sans,12'
set title "split-ball (real)"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'art-renditions.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "a sketch"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'art-renditions.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "a painting"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'art-renditions.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "teal-cup (real)"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'art-renditions.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "a sketch"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'art-renditions.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "a painting"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'art-renditions.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "dotted-box (real)"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'art-renditions.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "a sketch"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'art-renditions.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "a painting"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'art-renditions.dat' index 8 using 1:2:3:4:5 with rgbimage
unset multiplot
