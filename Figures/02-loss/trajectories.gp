# trajectories.gp — redraw with: gnuplot trajectories.gp (in this folder)
set terminal pngcairo size 800,760 font 'sans,10' noenhanced
set output 'trajectories.png'
set title "Reverse trajectories of ε and v from the same noise: start (open) → end (filled) on the data"
set xlabel "x"
set ylabel "y"
set grid
set key outside right
set size ratio -1
set key below
set xrange [-2.5:2.5]
set yrange [-2.5:2.5]
plot 'trajectories.dat' index 0 using 1:2 with points pt 7 ps 0.3 lc rgb 'gray75' title "data", \
     'trajectories.dat' index 1 using 1:2 with lines lw 2 dt 1 lc rgb '#9400d3' title "ε, path 1", \
     'trajectories.dat' index 2 using 1:2 with points pt 6 ps 1.5 lc rgb '#9400d3' title "ε: start", \
     'trajectories.dat' index 3 using 1:2 with points pt 7 ps 1.5 lc rgb '#9400d3' title "ε: end", \
     'trajectories.dat' index 4 using 1:2 with lines lw 2 dt 2 lc rgb '#9400d3' title "ε, path 2", \
     'trajectories.dat' index 5 using 1:2 with points pt 6 ps 1.5 lc rgb '#9400d3' title "", \
     'trajectories.dat' index 6 using 1:2 with points pt 7 ps 1.5 lc rgb '#9400d3' title "", \
     'trajectories.dat' index 7 using 1:2 with lines lw 2 dt 3 lc rgb '#9400d3' title "ε, path 3", \
     'trajectories.dat' index 8 using 1:2 with points pt 6 ps 1.5 lc rgb '#9400d3' title "", \
     'trajectories.dat' index 9 using 1:2 with points pt 7 ps 1.5 lc rgb '#9400d3' title "", \
     'trajectories.dat' index 10 using 1:2 with lines lw 2 dt 1 lc rgb '#009e73' title "v, path 1", \
     'trajectories.dat' index 11 using 1:2 with points pt 6 ps 1.5 lc rgb '#009e73' title "v: start", \
     'trajectories.dat' index 12 using 1:2 with points pt 7 ps 1.5 lc rgb '#009e73' title "v: end", \
     'trajectories.dat' index 13 using 1:2 with lines lw 2 dt 2 lc rgb '#009e73' title "v, path 2", \
     'trajectories.dat' index 14 using 1:2 with points pt 6 ps 1.5 lc rgb '#009e73' title "", \
     'trajectories.dat' index 15 using 1:2 with points pt 7 ps 1.5 lc rgb '#009e73' title "", \
     'trajectories.dat' index 16 using 1:2 with lines lw 2 dt 3 lc rgb '#009e73' title "v, path 3", \
     'trajectories.dat' index 17 using 1:2 with points pt 6 ps 1.5 lc rgb '#009e73' title "", \
     'trajectories.dat' index 18 using 1:2 with points pt 7 ps 1.5 lc rgb '#009e73' title ""
