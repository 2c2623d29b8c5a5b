# kl-weight.gp — redraw with: gnuplot kl-weight.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'kl-weight.png'
set title "The KL weight after 300 steps: reconstruction against a forgiving decoder"
set ylabel "PSNR (dB)"
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
plot 'kl-weight.dat' using 2:xtic(1) title "PSNR, latent mean (dB)", \
     'kl-weight.dat' using 3:xtic(1) title "PSNR, latent + 0.25·std noise (dB)"
