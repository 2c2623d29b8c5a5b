# reconstruction-judged.gp — redraw with: gnuplot reconstruction-judged.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'reconstruction-judged.png'
set title "The attribute judge on 1000 held-out images and their reconstructions (PSNR 39.6 dB)"
set ylabel "accuracy"
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set yrange [0.8:1.02]
set key below
set arrow from graph 0, first 0.98 to graph 1, first 0.98 nohead dt 2 lc rgb 'red'
set label 'the target, 0.98' at graph 0.01, first 1.01 left tc rgb 'red'
plot 'reconstruction-judged.dat' using 2:xtic(1) title "originals", \
     'reconstruction-judged.dat' using 3:xtic(1) title "reconstructions"
