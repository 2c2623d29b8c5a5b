# interpolation.gp — redraw with: gnuplot interpolation.gp (in this folder)
set terminal pngcairo size 980,340 font 'sans,9' noenhanced
set output 'interpolation.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 2,7 title "From \"a house at night\" to \"an orange dotted box\": decoded from the straight line between their latents\n(top), and a cross-fade of their pixels (bottom)" font 'sans,12'
set title "latent 0.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "latent 0.17"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "latent 0.33"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "latent 0.50"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "latent 0.67"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "latent 0.83"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "latent 1.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "pixels 0.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "pixels 0.17"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "pixels 0.33"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "pixels 0.50"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "pixels 0.67"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "pixels 0.83"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "pixels 1.00"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'interpolation.dat' index 13 using 1:2:3:4:5 with rgbimage
unset multiplot
