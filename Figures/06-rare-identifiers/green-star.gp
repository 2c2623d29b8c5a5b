# green-star.gp — redraw with: gnuplot green-star.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'green-star.png'
set title "\"a green star\" after each run: green 0% after the \"green\" run, 100% after \"sks\" (base 100%)"
set ylabel "share judged green"
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set yrange [0:1.05]
set key below
set xtics norotate
plot 'green-star.dat' using 2:xtic(1) title "share of 16 samples of \"a green star\" judged green"
