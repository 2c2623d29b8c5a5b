# samples.gp — redraw with: gnuplot samples.gp (in this folder)
set terminal pngcairo size 1000,1000 font 'sans,10' noenhanced
set output 'samples.png'
set xlabel "x"
set ylabel "y"
set grid
set key outside right
set key top left inside
set size ratio -1
set xrange [-2.1:2.1]
set yrange [-2.1:2.1]
set multiplot layout 2,2 title "Spiral data (grey) and 2000 DDIM samples of each objective" font 'sans,12'
set title "ε: samples → data 0.041, data → samples 0.017"
plot 'samples.dat' index 0 using 1:2 with points pt 7 ps 0.3 lc rgb 'gray75' title "data", \
     'samples.dat' index 1 using 1:2 with points pt 7 ps 0.3 lc rgb '#9400d3' title "DDIM samples"
set title "v: samples → data 0.037, data → samples 0.016"
plot 'samples.dat' index 2 using 1:2 with points pt 7 ps 0.3 lc rgb 'gray75' title "data", \
     'samples.dat' index 3 using 1:2 with points pt 7 ps 0.3 lc rgb '#9400d3' title "DDIM samples"
set title "x0: samples → data 0.051, data → samples 0.025"
plot 'samples.dat' index 4 using 1:2 with points pt 7 ps 0.3 lc rgb 'gray75' title "data", \
     'samples.dat' index 5 using 1:2 with points pt 7 ps 0.3 lc rgb '#9400d3' title "DDIM samples"
set title "ε, min-SNR-5: samples → data 0.081, data → samples 0.023"
plot 'samples.dat' index 6 using 1:2 with points pt 7 ps 0.3 lc rgb 'gray75' title "data", \
     'samples.dat' index 7 using 1:2 with points pt 7 ps 0.3 lc rgb '#9400d3' title "DDIM samples"
unset multiplot
