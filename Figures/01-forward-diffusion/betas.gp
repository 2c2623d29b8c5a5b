# betas.gp — redraw with: gnuplot betas.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'betas.png'
set title "β_t: noise added at each step"
set xlabel "t"
set ylabel "β_t"
set logscale y
set grid
set key outside right
plot 'betas.dat' index 0 using 1:2 with lines lw 2 title "linear", \
     'betas.dat' index 1 using 1:2 with lines lw 2 title "scaled linear", \
     'betas.dat' index 2 using 1:2 with lines lw 2 title "cosine (squaredcos_cap_v2)"
