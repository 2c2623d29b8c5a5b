# time-per-op.gp — redraw with: gnuplot time-per-op.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'time-per-op.png'
set title "Where the time goes: one training step, batch 16, 451 ms with the profiler on (timings vary run to run)"
set ylabel "ms"
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set key off
set rmargin 10
plot 'time-per-op.dat' using 2:xtic(1) title "ms in one training step"
