# sampler-time.gp — redraw with: gnuplot sampler-time.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'sampler-time.png'
set title "Seconds per image: one UNet call per step for both samplers"
set xlabel "sampling steps"
set ylabel "seconds per image"
set logscale x
set logscale y
set grid
set key outside right
set key bottom right inside
set xrange [8.0:60.0]
set xtics (10, 25, 50)
set format y '%g'
plot 'sampler-time.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DDIM", \
     'sampler-time.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DDPM"
