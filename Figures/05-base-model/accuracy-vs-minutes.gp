# accuracy-vs-minutes.gp — redraw with: gnuplot accuracy-vs-minutes.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'accuracy-vs-minutes.png'
set title "What the judge reads in 64 held-out samples as training goes on: colors first, then shapes"
set xlabel "minutes of training (this machine, 2026-12-01)"
set ylabel "accuracy (attribute classifier)"
set grid
set key outside right
set key bottom right inside
set yrange [0:1.05]
set xrange [0:64]
set arrow from graph 0, first 0.90 to graph 1, first 0.90 nohead dt 2 lc rgb '#9400d3'
set label 'class bar 0.90' at first 46.5, first 0.92 tc rgb '#9400d3'
set arrow from graph 0, first 0.85 to graph 1, first 0.85 nohead dt 3 lc rgb 'gray40'
set label 'color, context bar 0.85' at first 46.5, first 0.82 tc rgb 'gray40'
plot 'accuracy-vs-minutes.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "class", \
     'accuracy-vs-minutes.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "color", \
     'accuracy-vs-minutes.dat' index 2 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "pattern", \
     'accuracy-vs-minutes.dat' index 3 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "context"
