# accuracy-vs-minutes.gp — redraw with: gnuplot accuracy-vs-minutes.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'accuracy-vs-minutes.png'
set title "The judge on 64 held-out samples (DDIM 15): latents solid, pixels dashed"
set xlabel "minutes of training (this machine)"
set ylabel "accuracy (attribute classifier)"
set grid
set key outside right
set key below
set yrange [0:1.05]
set xrange [0:47]
set arrow from graph 0, first 0.90 to graph 1, first 0.90 nohead dt 3 lc rgb 'gray40'
set arrow from graph 0, first 0.60 to graph 1, first 0.60 nohead dt 3 lc rgb '#56b4e9'
set label 'target of class, color, context: 0.90 (on 256 prompts, DDIM 50)' at graph 0.02, first 0.87 font 'sans,8' tc rgb 'gray30'
set label 'target of pattern: 0.60 (the same)' at graph 0.02, first 0.57 font 'sans,8' tc rgb '#56b4e9'
plot 'accuracy-vs-minutes.dat' index 0 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#9400d3' title "class, latents", \
     'accuracy-vs-minutes.dat' index 1 using 1:2 with linespoints pt 6 ps 0.6 lw 1 dt 2 lc rgb '#9400d3' title "class, pixels (before)", \
     'accuracy-vs-minutes.dat' index 2 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#009e73' title "color, latents", \
     'accuracy-vs-minutes.dat' index 3 using 1:2 with linespoints pt 6 ps 0.6 lw 1 dt 2 lc rgb '#009e73' title "color, pixels (before)", \
     'accuracy-vs-minutes.dat' index 4 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#56b4e9' title "pattern, latents", \
     'accuracy-vs-minutes.dat' index 5 using 1:2 with linespoints pt 6 ps 0.6 lw 1 dt 2 lc rgb '#56b4e9' title "pattern, pixels (before)", \
     'accuracy-vs-minutes.dat' index 6 using 1:2 with linespoints pt 7 ps 0.6 lw 2 lc rgb '#e69f00' title "context, latents", \
     'accuracy-vs-minutes.dat' index 7 using 1:2 with linespoints pt 6 ps 0.6 lw 1 dt 2 lc rgb '#e69f00' title "context, pixels (before)"
