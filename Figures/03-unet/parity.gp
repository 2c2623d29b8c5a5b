# parity.gp — redraw with: gnuplot parity.gp (in this folder)
set terminal pngcairo size 1000,520 font 'sans,10' noenhanced
set output 'parity.png'
set title "parity with diffusers: activations, output, and worst gradient per block"
set ylabel "relative error"
set logscale y
set grid
set key outside right
set yrange [1e-9:1e-3]
set arrow from graph 0, first 1e-4 to graph 1, first 1e-4 nohead dt 2
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
plot 'parity.dat' using 2:xtic(1) title "‖Δ‖/‖ref‖ against diffusers (float64)"
