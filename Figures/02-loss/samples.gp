# samples.gp — redraw with: gnuplot samples.gp (in this folder)
set terminal pngcairo size 900,760 font 'sans,10' noenhanced
set output 'samples.png'
set title "Spiral data and DDIM samples of each objective"
set xlabel "x"
set ylabel "y"
set grid
set key outside right
set size ratio -1
set key below
plot 'samples.dat' index 0 using 1:2 with points pt 7 ps 0.4 title "data", \
     'samples.dat' index 1 using 1:2 with points pt 7 ps 0.4 title "samples, ε", \
     'samples.dat' index 2 using 1:2 with points pt 7 ps 0.4 title "samples, v", \
     'samples.dat' index 3 using 1:2 with points pt 7 ps 0.4 title "samples, x0", \
     'samples.dat' index 4 using 1:2 with points pt 7 ps 0.4 title "samples, ε, min-SNR-5"
