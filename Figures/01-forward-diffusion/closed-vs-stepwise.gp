# closed-vs-stepwise.gp — redraw with: gnuplot closed-vs-stepwise.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'closed-vs-stepwise.png'
set title "x_300 from x = 0.7: 301 steps one at a time, or one jump"
set xlabel "x_300"
set ylabel "density"
set grid
set key outside right
set key top right inside
plot 'closed-vs-stepwise.dat' using 1:2 with histeps lw 2 title "step by step (301 steps)", \
     'closed-vs-stepwise.dat' using 1:3 with histeps lw 2 title "closed form"
