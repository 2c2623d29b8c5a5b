# rank-sweep.gp — redraw with: gnuplot rank-sweep.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'rank-sweep.png'
set title "LoRA ranks 1–16 keep the context but not the look (0.00–0.04 against 0.71 in full)"
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
set label 'full DreamBooth: look kept 0.71' at graph 0.02, first 0.754 tc rgb 'gray30'
plot 'rank-sweep.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "look kept (LoRA)", \
     'rank-sweep.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DINO (LoRA)", \
     'rank-sweep.dat' index 2 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "context as asked (LoRA)", \
     'rank-sweep.dat' index 3 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "PRES (LoRA)", \
     'rank-sweep.dat' index 4 using 1:2 with lines dt 2 lw 1.5 lc rgb 'gray40' title "look kept, full DreamBooth (reference)"
