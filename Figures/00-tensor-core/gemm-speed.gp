# gemm-speed.gp — redraw with: gnuplot gemm-speed.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'gemm-speed.png'
set title "matrix product speed (all cores)"
set xlabel "n (n×n·n×n)"
set ylabel "GFLOP/s"
set logscale y
set grid
set key outside right
plot 'gemm-speed.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "naive triple loop", \
     'gemm-speed.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "SIMD16 12×32 micro-kernel"
