# two-subjects.gp — redraw with: gnuplot two-subjects.gp (in this folder)
set terminal pngcairo size 900,330 font 'sans,9' noenhanced
set output 'two-subjects.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 2,6 title "Split-ball and teal-cup adapters added to the same base: does each prompt get its subject?" font 'sans,12'
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
set title "a sks cup on grass"
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
unset multiplot
