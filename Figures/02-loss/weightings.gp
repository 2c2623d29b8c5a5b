# weightings.gp — redraw with: gnuplot weightings.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'weightings.png'
set title "How each loss weights the timesteps (cosine schedule)"
set xlabel "t"
set ylabel "weight"
set logscale y
set grid
set key outside right
plot 'weightings.dat' index 0 using 1:2 with lines lw 2 title "x0-MSE weight of ε-loss = SNR", \
     'weightings.dat' index 1 using 1:2 with lines lw 2 title "x0-MSE weight of v-loss = SNR + 1", \
     'weightings.dat' index 2 using 1:2 with lines lw 2 title "min-SNR-5 factor, ε", \
     'weightings.dat' index 3 using 1:2 with lines lw 2 title "min-SNR-5 factor, v"
