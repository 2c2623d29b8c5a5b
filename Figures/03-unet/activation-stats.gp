# activation-stats.gp — redraw with: gnuplot activation-stats.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'activation-stats.png'
set title "At initialisation the activations stay of order 1 through the benchmark UNet (batch 16)"
set ylabel "value"
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set yrange [0:*]
plot 'activation-stats.dat' using 2:xtic(1) title "std of the stage's output", \
     'activation-stats.dat' using 3:xtic(1) title "mean |value|"
