# samplers.gp — redraw with: gnuplot samplers.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'samplers.png'
set title "Accuracy against sampling steps (12 held-out prompts, g = 3; ±0.14 is noise)"
set xlabel "sampling steps"
set ylabel "mean accuracy (class, color, pattern, context)"
set logscale x
set grid
set key outside right
set key bottom right inside
set yrange [0:1]
set xrange [8.0:60.0]
set xtics (10, 25, 50)
plot 'samplers.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DDIM: accuracy", \
     'samplers.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DDPM: accuracy"
