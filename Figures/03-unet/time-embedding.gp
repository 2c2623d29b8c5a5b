# time-embedding.gp — redraw with: gnuplot time-embedding.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'time-embedding.png'
set title "sinusoidal timestep features: rows t = 0 … 990, columns: cos then sin"
set xlabel "feature"
set ylabel "t index"
set grid
set key outside right
set yrange [] reverse
set palette rgbformulae 33,13,10
plot 'time-embedding.dat' using 1:2:3 with image notitle
