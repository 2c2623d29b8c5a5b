# channel-spread.gp — redraw with: gnuplot channel-spread.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'channel-spread.png'
set title "What the UNet sees: each latent channel's spread under one scaling_factor (0.4419)"
set ylabel "standard deviation"
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
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb 'red'
plot 'channel-spread.dat' using 2:xtic(1) title "std of z · scaling_factor over 512 training images"
