# parity.gp — redraw with: gnuplot parity.gp (in this folder)
set terminal pngcairo size 1000,520 font 'sans,10' noenhanced
set output 'parity.png'
set title "Parity with diffusers: blocks alone, each level, the output, and the worst gradient per block"
set ylabel "relative error ‖Δ‖/‖ref‖"
set logscale y
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set yrange [1e-9:1e-2]
set key off
set format y '1e%T'
set arrow from graph 0, first 1e-4 to graph 1, first 1e-4 nohead dt 2 lc rgb 'red'
set label 'activation tolerance 1e-4' at graph 0.01, first 1.6e-4 tc rgb 'red'
set arrow from graph 0, first 1e-3 to graph 1, first 1e-3 nohead dt 3 lc rgb 'gray40'
set label 'gradient tolerance ≈ 1e-3 (1e-3‖ref‖ + 1e-7 max‖ref‖)' at graph 0.01, first 1.6e-3 tc rgb 'gray40'
plot 'parity.dat' using 2:xtic(1) title "‖Δ‖/‖ref‖ against diffusers (float64)"
