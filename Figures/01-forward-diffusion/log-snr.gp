# log-snr.gp — redraw with: gnuplot log-snr.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'log-snr.png'
set title "log SNR(t): zero terminal SNR lowers it a little everywhere and sharply in the last steps"
set xlabel "t (0-indexed)"
set ylabel "log SNR"
set grid
set key outside right
set key bottom left inside
plot 'log-snr.dat' index 0 using 1:2 with lines lw 2 title "linear (1e-4–0.02)", \
     'log-snr.dat' index 1 using 1:2 with lines lw 2 title "scaled linear (1e-4–0.02)", \
     'log-snr.dat' index 2 using 1:2 with lines lw 2 title "cosine (squaredcos_cap_v2)", \
     'log-snr.dat' index 3 using 1:2 with lines lw 2 title "SD scaled linear (0.00085–0.012)", \
     'log-snr.dat' index 4 using 1:2 with lines lw 2 title "the same, zero terminal SNR (t < 999)"
