# parameters.gp — redraw with: gnuplot parameters.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'parameters.png'
set title "The benchmark UNet's 2.53 M parameters by block: most sit in the attention levels"
set ylabel "parameters"
set logscale y
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set key off
set format y '%.0s%c'
plot 'parameters.dat' using 2:xtic(1) title "parameters"
