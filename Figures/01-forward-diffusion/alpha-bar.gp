# alpha-bar.gp — redraw with: gnuplot alpha-bar.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'alpha-bar.png'
set title "ᾱ_t: signal variance left after steps 0…t"
set xlabel "t (0-indexed)"
set ylabel "ᾱ_t"
set grid
set key outside right
set key top right inside
plot 'alpha-bar.dat' index 0 using 1:2 with lines lw 2 title "linear (1e-4–0.02)", \
     'alpha-bar.dat' index 1 using 1:2 with lines lw 2 title "scaled linear (1e-4–0.02)", \
     'alpha-bar.dat' index 2 using 1:2 with lines lw 2 title "cosine (squaredcos_cap_v2)", \
     'alpha-bar.dat' index 3 using 1:2 with lines lw 2 title "SD scaled linear (0.00085–0.012)", \
     'alpha-bar.dat' index 4 using 1:2 with lines lw 2 title "the same, zero terminal SNR"
