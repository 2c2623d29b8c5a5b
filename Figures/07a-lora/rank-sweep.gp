# rank-sweep.gp — redraw with: gnuplot rank-sweep.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'rank-sweep.png'
set title "LoRA rank: fidelity, context and drift (flat line: full fine-tuning)"
set xlabel "rank r"
set ylabel "score"
set logscale x
set grid
set key outside right
set key below
set yrange [-0.1:1.05]
set format x '%g'
set xtics (1, 4, 16)
set xrange [0.8:20.0]
plot 'rank-sweep.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "look kept (LoRA)", \
     'rank-sweep.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DINO (LoRA)", \
     'rank-sweep.dat' index 2 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "context as asked (LoRA)", \
     'rank-sweep.dat' index 3 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "PRES (LoRA)", \
     'rank-sweep.dat' index 4 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "look kept, full DreamBooth"
