# time-embedding.gp — redraw with: gnuplot time-embedding.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'time-embedding.png'
set title "Sinusoidal timestep features: fast frequencies on the left, slow on the right (cos half, then sin)"
set xlabel "feature (0–15 cos, 16–31 sin)"
set ylabel "timestep t (one row every 10)"
set grid
set key outside right
set ytics ("0" 0, "200" 20, "400" 40, "600" 60, "800" 80)
set xrange [-0.5:31.5]
set yrange [99.5:-0.5]
set palette rgbformulae 33,13,10
plot 'time-embedding.dat' using 1:2:3 with image notitle
