# table1.gp — redraw with: gnuplot table1.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'table1.png'
set title "Table 1 in miniature: DINO real 0.97, DreamBooth 0.85, textual inversion 0.35"
set ylabel "score (bars: mean of 3 subjects; whiskers: lowest to highest)"
set grid
set key outside right
set style fill solid 0.8 border -1
set boxwidth 0.2533333
set xtics ("DINO" 0, "CLIP-I" 1, "CLIP-T" 2, "look kept (judged)" 3) scale 0
set xrange [-0.6:3.6]
set key below
set datafile missing 'NaN'
set yrange [0:1.1]
plot 'table1.dat' index 0 using 1:2 with boxes title "real images", \
     'table1.dat' index 1 using 1:2 with boxes title "DreamBooth", \
     'table1.dat' index 2 using 1:2 with boxes title "textual inversion", \
     'table1.dat' index 0 using 1:2:3:4 with yerrorbars pt 7 ps 0.4 lc rgb 'black' notitle, \
     'table1.dat' index 1 using 1:2:3:4 with yerrorbars pt 7 ps 0.4 lc rgb 'black' notitle, \
     'table1.dat' index 2 using 1:2:3:4 with yerrorbars pt 7 ps 0.4 lc rgb 'black' notitle, \
     'table1.dat' index 0 using 1:5 with points pt 13 ps 1.6 lc rgb 'black' title "the paper's Table 1 (Stable Diffusion)", \
     'table1.dat' index 1 using 1:5 with points pt 13 ps 1.6 lc rgb 'black' notitle, \
     'table1.dat' index 2 using 1:5 with points pt 13 ps 1.6 lc rgb 'black' notitle
