# two-subjects.gp — redraw with: gnuplot two-subjects.gp (in this folder)
set terminal pngcairo size 900,660 font 'sans,9' noenhanced
set output 'two-subjects.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 4,6 title "Each subject's adapters alone, then both on one base: \"a sks ball in snow\" look kept 1.00 alone,\n1.00 with both; \"a zy cup on grass\" look kept 0.62 alone, 0.38 with both" font 'sans,12'
set title "a sks ball in snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 0 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 1 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 2 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 3 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 4 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "both adapters"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 6 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 7 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 8 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 9 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 10 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "a zy cup on grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 12 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 13 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 14 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 15 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 16 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 17 using 1:2:3:4:5 with rgbimage
set title "both adapters"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 18 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 19 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 20 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 21 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 22 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'two-subjects.dat' index 23 using 1:2:3:4:5 with rgbimage
unset multiplot
