# training.gp — redraw with: gnuplot training.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'training.png'
set title "Pretraining: the denoising loss falls fast, then slowly (batch 32)"
set xlabel "step"
set ylabel "loss"
set logscale y
set grid
set key outside right
set key top right inside
set format y '%g'
set yrange [0.005:2]
plot 'training.dat' index 0 using 1:2 with lines lw 2 title "min-SNR-5 weighted ε loss (mean of 50 steps)"
