# log-snr.gp — redraw with: gnuplot log-snr.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'log-snr.png'
set title "log SNR(t) = log ᾱ_t / (1 − ᾱ_t)"
set xlabel "t"
set ylabel "log SNR"
set grid
set key outside right
plot 'log-snr.dat' index 0 using 1:2 with lines lw 2 title "linear", \
     'log-snr.dat' index 1 using 1:2 with lines lw 2 title "scaled linear", \
     'log-snr.dat' index 2 using 1:2 with lines lw 2 title "cosine (squaredcos_cap_v2)"
