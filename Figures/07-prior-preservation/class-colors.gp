# class-colors.gp — redraw with: gnuplot class-colors.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'class-colors.png'
set title "Most common judged color of \"a ball\": base brown 44 %, without the prior purple 38 %, with it pink 31 %"
set ylabel "share of samples"
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set yrange [0:1]
set key top right inside
plot 'class-colors.dat' using 2:xtic(1) title "base model", \
     'class-colors.dat' using 3:xtic(1) title "without prior", \
     'class-colors.dat' using 4:xtic(1) title "with prior (λ = 1)"
