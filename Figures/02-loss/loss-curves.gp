# loss-curves.gp — redraw with: gnuplot loss-curves.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'loss-curves.png'
set title "Training loss, each in its own target's units (running mean of 50 steps)"
set xlabel "step"
set ylabel "loss"
set grid
set key outside right
set key top right inside
set yrange [0:1.1]
plot 'loss-curves.dat' index 0 using 1:2 with lines lw 2 title "ε (ε units)", \
     'loss-curves.dat' index 1 using 1:2 with lines lw 2 title "v (v units)", \
     'loss-curves.dat' index 2 using 1:2 with lines lw 2 title "x0 (x0 units)", \
     'loss-curves.dat' index 3 using 1:2 with lines lw 2 title "ε, min-SNR-5 (ε units × min-SNR factor)"
