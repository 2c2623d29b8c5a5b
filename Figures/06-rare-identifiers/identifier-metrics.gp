# identifier-metrics.gp — redraw with: gnuplot identifier-metrics.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'identifier-metrics.png'
set title "Same run, three identifiers: look kept sks 0.61, green 0.71, xqzt 0.46; DIV sks 0.05, green 0.25, xqzt 0.18"
set ylabel "score"
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
plot 'identifier-metrics.dat' using 2:xtic(1) title "rare token (sks)", \
     'identifier-metrics.dat' using 3:xtic(1) title "common word (green)", \
     'identifier-metrics.dat' using 4:xtic(1) title "random string (xqzt)"
