# epsilon-vs-v.gp — redraw with: gnuplot epsilon-vs-v.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'epsilon-vs-v.png'
set title "Pixel-space model: ε (solid) against v-prediction (dashed), the same recipe; 64 held-out samples by training step"
set xlabel "training step (batch 32)"
set ylabel "accuracy (attribute classifier)"
set grid
set key outside right
set key bottom right inside
set yrange [0:1.05]
plot 'epsilon-vs-v.dat' index 0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#9400d3' title "class, ε", \
     'epsilon-vs-v.dat' index 1 using 1:2 with linespoints pt 6 ps 0.8 lw 2 dt 2 lc rgb '#9400d3' title "class, v", \
     'epsilon-vs-v.dat' index 2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#009e73' title "color, ε", \
     'epsilon-vs-v.dat' index 3 using 1:2 with linespoints pt 6 ps 0.8 lw 2 dt 2 lc rgb '#009e73' title "color, v", \
     'epsilon-vs-v.dat' index 4 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#e69f00' title "context, ε", \
     'epsilon-vs-v.dat' index 5 using 1:2 with linespoints pt 6 ps 0.8 lw 2 dt 2 lc rgb '#e69f00' title "context, v"
