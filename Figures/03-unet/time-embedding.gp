# time-embedding.gp — redraw with: gnuplot time-embedding.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'time-embedding.png'
set title "Timestep features, t = 0…199: the cos half, then the sin half, each fast (left) to slow (right)"
set xlabel "feature (0–15 cos, 16–31 sin)"
set ylabel "timestep t"
set grid
set key outside right
set ytics ("0" 0, "40" 40, "80" 80, "120" 120, "160" 160)
set xrange [-0.5:31.5]
set yrange [199.5:-0.5]
set palette rgbformulae 33,13,10
plot 'time-embedding.dat' using 1:2:3 with image notitle
