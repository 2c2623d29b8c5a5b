# property-modification.gp — redraw with: gnuplot property-modification.gp (in this folder)
set terminal pngcairo size 650,420 font 'sans,9' noenhanced
set output 'property-modification.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 3,5 title "\"a <color or pattern> sks <noun>\": the look should change" font 'sans,12'
set title "split-ball (real)"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "a green"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "a yellow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "a striped"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "a dotted"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "teal-cup (real)"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "a red"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "a yellow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "a dotted"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "a checkered"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "dotted-box (real)"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "a red"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "a blue"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "a striped"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 13 using 1:2:3:4:5 with rgbimage
set title "a checkered"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'property-modification.dat' index 14 using 1:2:3:4:5 with rgbimage
unset multiplot
