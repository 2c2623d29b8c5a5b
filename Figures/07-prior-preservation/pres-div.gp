# pres-div.gp — redraw with: gnuplot pres-div.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'pres-div.png'
set title "Without the prior \"a ball\" drifts to the subject (PRES 0.98, judged 1.00); with it (λ = 1) 0.06 and 0.00"
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
set key top right inside
plot 'pres-div.dat' using 2:xtic(1) title "base model", \
     'pres-div.dat' using 3:xtic(1) title "without prior", \
     'pres-div.dat' using 4:xtic(1) title "with prior (λ = 1)"
