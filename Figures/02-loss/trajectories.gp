# trajectories.gp — redraw with: gnuplot trajectories.gp (in this folder)
set terminal pngcairo size 800,760 font 'sans,10' noenhanced
set output 'trajectories.png'
set title "Reverse trajectories, ε and v: noise (start) → data (end)"
set xlabel "x"
set ylabel "y"
set grid
set key outside right
set size ratio -1
set key below
plot 'trajectories.dat' index 0 using 1:2 with lines lw 2 title "ε #1", \
     'trajectories.dat' index 1 using 1:2 with lines lw 2 title "ε #2", \
     'trajectories.dat' index 2 using 1:2 with lines lw 2 title "ε #3", \
     'trajectories.dat' index 3 using 1:2 with lines lw 2 title "v #1", \
     'trajectories.dat' index 4 using 1:2 with lines lw 2 title "v #2", \
     'trajectories.dat' index 5 using 1:2 with lines lw 2 title "v #3"
