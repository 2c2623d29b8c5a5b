# step-cost.gp — redraw with: gnuplot step-cost.gp (in this folder)
set terminal pngcairo size 700,500 font 'sans,10' noenhanced
set output 'step-cost.png'
set title "One UNet training step: latents cost 0.28× what pixels do (a timing, this machine)"
set ylabel "milliseconds"
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set yrange [0:*]
set key below
plot 'step-cost.dat' using 2:xtic(1) title "milliseconds per training step (batch 32, best of 3)"
