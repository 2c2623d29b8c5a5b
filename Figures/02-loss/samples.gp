# samples.gp — redraw with: gnuplot samples.gp (in this folder)
set terminal pngcairo size 900,700 font 'sans,10' noenhanced
set output 'samples.png'
set title "spiral data and DDIM samples"
set xlabel "x"
set ylabel "y"
set grid
set key outside right
set size ratio -1
plot 'samples.dat' index 0 using 1:2 with points pt 7 ps 0.4 title "data", \
     'samples.dat' index 1 using 1:2 with points pt 7 ps 0.4 title "samples, ε-prediction", \
     'samples.dat' index 2 using 1:2 with points pt 7 ps 0.4 title "samples, v-prediction"
