# rank-sweep.gp — redraw with: gnuplot rank-sweep.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'rank-sweep.png'
set title "LoRA rank 1–16, attention + convolutions: look kept 0.11–0.68 (full DreamBooth 0.61)"
set xlabel "rank r"
set ylabel "score"
set logscale x
set grid
set key outside right
set key below
set yrange [-0.05:1.1]
set format x '%g'
set xtics (1, 4, 8, 16)
set xrange [0.8:20.0]
plot 'rank-sweep.dat' index 0 using 1:2 with linespoints pt 7 lw 2 lc rgb '#9400d3' title "look kept (LoRA)", \
     'rank-sweep.dat' index 1 using 1:2 with linespoints pt 7 lw 2 lc rgb '#009e73' title "context as asked (LoRA)", \
     'rank-sweep.dat' index 2 using 1:2 with linespoints pt 7 lw 2 lc rgb '#56b4e9' title "PRES (LoRA)", \
     'rank-sweep.dat' index 3 using 1:2 with lines dt 2 lw 1.5 lc rgb '#9400d3' title "look kept, full DreamBooth", \
     'rank-sweep.dat' index 4 using 1:2 with lines dt 3 lw 1.5 lc rgb '#56b4e9' title "PRES, base model", \
     'rank-sweep.dat' index 5 using 1:2 with lines dt 2 lw 1.5 lc rgb '#0072b2' title "PRES, full DreamBooth"
