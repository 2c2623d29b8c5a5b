# kl-latent.gp — redraw with: gnuplot kl-latent.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'kl-latent.png'
set title "What β changes in 300 steps: the latent (KL falls, σ grows), not yet the reconstruction"
set ylabel "KL per element / σ (log scale)"
set logscale y
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set key below
set yrange [0.1:20]
set format y '%g'
plot 'kl-latent.dat' using 2:xtic(1) title "KL per latent element", \
     'kl-latent.dat' using 3:xtic(1) title "mean posterior σ"
