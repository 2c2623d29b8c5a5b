# judges-accuracy.gp — redraw with: gnuplot judges-accuracy.gp (in this folder)
set terminal pngcairo size 900,500 font 'sans,10' noenhanced
set output 'judges-accuracy.png'
set title "The judges on fresh images of the held-out compositions (the classifier's target: 0.98)"
set ylabel "accuracy"
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set yrange [0:1.12]
set key below
set arrow from first -0.5, first 0.98 to first 4.5, first 0.98 nohead dt 2 lc rgb 'red'
set label "the classifier's target, 0.98" at first -0.4, first 1.05 left tc rgb 'red'
plot 'judges-accuracy.dat' using 2:xtic(1) title "measured on 1000 held-out images (100 for retrieval)"
