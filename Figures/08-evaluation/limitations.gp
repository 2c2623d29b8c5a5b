# limitations.gp — redraw with: gnuplot limitations.gp (in this folder)
set terminal pngcairo size 1200,510 font 'sans,9' noenhanced
set output 'limitations.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 3,8 title "Per subject: four photos, the best context, the three weakest (n/4 drawn as asked, then look kept; a sample judged wrong where there\nis one)" font 'sans,12'
set title "split-ball: photo, grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "photo, sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "photo, snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "photo, city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "best sand 4/4, look 1.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "city 4/4, look 0.75"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "water 4/4, look 0.25"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "night 4/4, look 0.25"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "teal-cup: photo, sand"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "photo, grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "photo, night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "photo, snow"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "best grass 4/4, look 1.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "city 4/4, look 1.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 13 using 1:2:3:4:5 with rgbimage
set title "sand 4/4, look 0.25"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 14 using 1:2:3:4:5 with rgbimage
set title "night 3/4, look 1.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 15 using 1:2:3:4:5 with rgbimage
set title "dotted-box: photo, water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 16 using 1:2:3:4:5 with rgbimage
set title "photo, city"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 17 using 1:2:3:4:5 with rgbimage
set title "photo, grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 18 using 1:2:3:4:5 with rgbimage
set title "photo, night"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 19 using 1:2:3:4:5 with rgbimage
set title "best grass 4/4, look 1.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 20 using 1:2:3:4:5 with rgbimage
set title "city 4/4, look 1.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 21 using 1:2:3:4:5 with rgbimage
set title "night 3/4, look 1.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 22 using 1:2:3:4:5 with rgbimage
set title "snow 1/4, look 1.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'limitations.dat' index 23 using 1:2:3:4:5 with rgbimage
unset multiplot
