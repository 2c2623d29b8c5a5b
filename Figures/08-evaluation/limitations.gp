# limitations.gp — redraw with: gnuplot limitations.gp (in this folder)
set terminal pngcairo size 900,330 font 'sans,9' noenhanced
set output 'limitations.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 2,6 title "Where it fails: prompts whose samples never show the asked context (one sample each)" font 'sans,12'
set title "a sks ball on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "a sks cup on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "a sks cup on sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "a sks cup in snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "a sks cup on water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "a sks box on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "a sks box on sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "a sks box in snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 7 using 1:2:3:4:5 with rgbimage
unset multiplot
