# noise-strip-figure.gp — redraw with: gnuplot noise-strip-figure.gp (in this folder)
set terminal pngcairo size 900,330 font 'sans,9' noenhanced
set output 'noise-strip-figure.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 2,6 title "x_t = α_t x + σ_t ε, linear schedule: the eye loses the picture by t ≈ 400 (α_400 = 0.44 still)" font 'sans,12'
set title "t = 0, SNR 1e+04"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "t = 10, SNR 4.5e+02"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "t = 25, SNR 1.1e+02"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "t = 50, SNR 32"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "t = 75, SNR 15"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "t = 100, SNR 8.5"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "t = 150, SNR 3.7"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "t = 200, SNR 1.9"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "t = 250, SNR 1.1"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "t = 300, SNR 0.65"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "t = 400, SNR 0.24"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "t = 999, SNR 4e-05"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'noise-strip-figure.dat' index 11 using 1:2:3:4:5 with rgbimage
unset multiplot
