# gemm-speed.gp — redraw with: gnuplot gemm-speed.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'gemm-speed.png'
set title "One core, Float: each step of the lesson against the core's measured peak"
set xlabel "n (n×n times n×n)"
set ylabel "GFLOP/s"
set logscale y
set grid
set key outside right
set key below
set format y '%g'
set xtics (64, 128, 256, 384, 512)
plot 'gemm-speed.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "1. triple loop", \
     'gemm-speed.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "2. row order", \
     'gemm-speed.dat' index 2 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "3. cache blocking", \
     'gemm-speed.dat' index 3 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "4. 4×32 register tile", \
     'gemm-speed.dat' index 4 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "5. library gemm (12×32, packed)", \
     'gemm-speed.dat' index 5 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "measured FMA peak of one core (85)"
