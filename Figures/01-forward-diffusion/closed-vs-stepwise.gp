# closed-vs-stepwise.gp — redraw with: gnuplot closed-vs-stepwise.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'closed-vs-stepwise.png'
set title "x_300 from x_0 = 0.7: two routes, one distribution"
set xlabel "x_t"
set ylabel "density"
set grid
set key outside right
plot 'closed-vs-stepwise.dat' using 1:2 with histeps lw 2 title "step by step (301 steps)", \
     'closed-vs-stepwise.dat' using 1:3 with histeps lw 2 title "closed form"
