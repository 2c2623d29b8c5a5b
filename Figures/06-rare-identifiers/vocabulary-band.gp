# vocabulary-band.gp — redraw with: gnuplot vocabulary-band.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'vocabulary-band.png'
set title "Caption tokens are a handful of ids; identifiers come from the unused rest"
set xlabel "token id"
set ylabel "occurrences"
set logscale y
set grid
set key outside right
set key top right inside
set format y '%g'
set yrange [0.3:1e5]
set xrange [0:8192]
set arrow from 2457,0.3 to 2457,1e5 nohead dt 2 lc rgb 'gray40'
set label 'rare band →' at 2539,3e4 tc rgb 'gray30'
plot 'vocabulary-band.dat' index 0 using 1:2 with points pt 7 ps 0.8 title "caption tokens (count)", \
     'vocabulary-band.dat' index 1 using 1:2 with points pt 7 ps 0.8 title "candidates (count 0, at 0.5)"
