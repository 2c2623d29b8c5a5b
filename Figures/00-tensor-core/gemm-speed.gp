# gemm-speed.gp — redraw with: gnuplot gemm-speed.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'gemm-speed.png'
set title "One core, Float: the register tile closes the gap, 3 → 98 of 107 GFLOP/s"
set xlabel "n (n×n times n×n)"
set ylabel "GFLOP/s"
set logscale y
set grid
set key outside right
set key below
set format y '%g'
set ytics (1, 2, 5, 10, 20, 50, 100, 200, 500)
set yrange [0.5:214]
set xtics (64, 128, 192, 256, 320, 384, 448, 512)
set arrow from graph 0, first 107.14596150200073 to graph 1, first 107.14596150200073 nohead dt 2 lw 2 lc rgb 'red'
set label 'measured FMA peak of one core: 107 GFLOP/s' at graph 0.02, first 133.9 tc rgb 'red'
plot 'gemm-speed.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "1. triple loop", \
     'gemm-speed.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "2. row order", \
     'gemm-speed.dat' index 2 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "3. cache blocking", \
     'gemm-speed.dat' index 3 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "4. 4×32 register tile", \
     'gemm-speed.dat' index 4 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "5. library gemm (12×32 as 6×16 passes)"
