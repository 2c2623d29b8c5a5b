# loss-curves.gp — redraw with: gnuplot loss-curves.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'loss-curves.png'
set title "Training loss, moving mean of 25 steps: at the last step 0.009 without the prior, 0.092 with it"
set xlabel "step"
set ylabel "loss (instance term min-SNR-5 weighted; prior term plain MSE)"
set grid
set key outside right
set key top right inside
plot 'loss-curves.dat' index 0 using 1:2 with lines lw 2 title "without the prior term", \
     'loss-curves.dat' index 1 using 1:2 with lines lw 2 title "with it (λ = 1): instance term + prior term"
