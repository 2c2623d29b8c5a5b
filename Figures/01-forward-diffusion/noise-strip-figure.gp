# noise-strip-figure.gp — redraw with: gnuplot noise-strip-figure.gp (in this folder)
set terminal pngcairo size 840,390 font 'sans,9' noenhanced
set output 'noise-strip-figure.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 3,7 title "q(x_t | x_0), linear schedule" font 'sans,12'
set title "t = 0"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "t = 50"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "t = 100"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "t = 150"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "t = 200"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "t = 250"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "t = 300"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "t = 350"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "t = 400"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "t = 450"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "t = 500"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "t = 550"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "t = 600"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "t = 650"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 13 using 1:2:3:4:5 with rgbimage
set title "t = 700"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 14 using 1:2:3:4:5 with rgbimage
set title "t = 750"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 15 using 1:2:3:4:5 with rgbimage
set title "t = 800"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 16 using 1:2:3:4:5 with rgbimage
set title "t = 850"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 17 using 1:2:3:4:5 with rgbimage
set title "t = 900"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 18 using 1:2:3:4:5 with rgbimage
set title "t = 950"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 19 using 1:2:3:4:5 with rgbimage
set title "t = 999"
set xrange [-0.5:32 - 0.5]; set yrange [32 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 20 using 1:2:3:4:5 with rgbimage
unset multiplot
