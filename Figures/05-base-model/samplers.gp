# samplers.gp — redraw with: gnuplot samplers.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'samplers.png'
set title "Mean accuracy against sampling steps, DDIM and DDPM (12 held-out prompts, guidance 3: differences under ~0.14 are noise)"
set xlabel "sampling steps"
set ylabel "mean accuracy (class, color, pattern, context)"
set logscale x
set grid
set key outside right
set key bottom right inside
set yrange [0:1]
set format x '%g'
plot 'samplers.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DDIM: accuracy", \
     'samplers.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DDPM: accuracy"
