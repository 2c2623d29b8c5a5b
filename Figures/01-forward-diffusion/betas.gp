# betas.gp — redraw with: gnuplot betas.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'betas.png'
set title "β_t: the cosine schedule adds little noise early and much at the end"
set xlabel "t (0-indexed)"
set ylabel "β_t"
set logscale y
set grid
set key outside right
set key top left inside
set format y '%.0e'
plot 'betas.dat' index 0 using 1:2 with lines lw 2 title "linear (1e-4–0.02)", \
     'betas.dat' index 1 using 1:2 with lines lw 2 title "scaled linear (1e-4–0.02)", \
     'betas.dat' index 2 using 1:2 with lines lw 2 title "cosine (squaredcos_cap_v2)"
