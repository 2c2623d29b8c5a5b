# sampler-time.gp — redraw with: gnuplot sampler-time.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'sampler-time.png'
set title "Time grows with steps alike for both: one UNet call per step (two halves in one batch)"
set xlabel "sampling steps"
set ylabel "seconds per image"
set logscale x
set logscale y
set grid
set key outside right
set key top left inside
set format x '%g'
set format y '%g'
plot 'sampler-time.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DDIM", \
     'sampler-time.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DDPM"
