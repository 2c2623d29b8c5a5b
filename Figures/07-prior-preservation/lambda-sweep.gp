# lambda-sweep.gp — redraw with: gnuplot lambda-sweep.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'lambda-sweep.png'
set title "λ = 0.25 → 4: PRES -0.07 → 0.11 (base model 0.51), look kept 0.68 → 0.14"
set xlabel "λ (prior_loss_weight)"
set ylabel "score"
set logscale x
set grid
set key outside right
set key below
set yrange [-0.1:1.05]
set format x '%g'
set xtics (0.25, 1, 4)
set xrange [0.2:5.0]
plot 'lambda-sweep.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "PRES (lower: less drift)", \
     'lambda-sweep.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "drift, judged (lower is better)", \
     'lambda-sweep.dat' index 2 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "look kept (subject fidelity)", \
     'lambda-sweep.dat' index 3 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DIV", \
     'lambda-sweep.dat' index 4 using 1:2 with lines dt 2 lw 1.5 lc rgb 'gray30' title "PRES, base model", \
     'lambda-sweep.dat' index 5 using 1:2 with lines dt 3 lw 1.5 lc rgb 'gray50' title "DIV, base model"
