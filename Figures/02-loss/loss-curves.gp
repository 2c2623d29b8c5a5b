# loss-curves.gp — redraw with: gnuplot loss-curves.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'loss-curves.png'
set title "training loss (running mean of 50 steps)"
set xlabel "step"
set ylabel "MSE to target"
set logscale y
set grid
set key outside right
plot 'loss-curves.dat' index 0 using 1:2 with lines lw 2 title "ε-prediction", \
     'loss-curves.dat' index 1 using 1:2 with lines lw 2 title "v-prediction"
