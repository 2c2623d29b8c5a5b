# class-images.gp — redraw with: gnuplot class-images.gp (in this folder)
set terminal pngcairo size 900,330 font 'sans,9' noenhanced
set output 'class-images.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 2,6 title "The prior term's data: the frozen base's own \"a ball\", varied balls, none of them the split-ball" font 'sans,12'
set title "\"a ball\""
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 0 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 1 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 2 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 3 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 4 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 5 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 6 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 7 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 8 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 9 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 10 using 1:2:3:4:5 with rgbimage
set title " "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'class-images.dat' index 11 using 1:2:3:4:5 with rgbimage
unset multiplot
