# limitations.gp — redraw with: gnuplot limitations.gp (in this folder)
set terminal pngcairo size 680,400 font 'sans,9' noenhanced
set output 'limitations.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 2,4 title "Where it fails: per subject its first context, then each context none of\nits samples shows (one sample each)" font 'sans,12'
set title "a sks ball on grass: 4/4 as\nasked"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "a sks cup on grass: 1/4 as\nasked"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "a sks cup on sand: 0/4 as\nasked"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "a sks cup in snow: 0/4 as\nasked"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "a sks cup on water: 0/4 as\nasked"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "a sks box on grass: 4/4 as\nasked"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "a sks box on sand: 0/4 as\nasked"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "a sks box in snow: 0/4 as\nasked"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 7 using 1:2:3:4:5 with rgbimage
unset multiplot
