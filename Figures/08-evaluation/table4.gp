# table4.gp — redraw with: gnuplot table4.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'table4.png'
set title "Table 4 in miniature: DINO correct 0.85, wrong 0.82, none 0.81; correct without the prior 0.84"
set ylabel "score (bars: mean of 3 subjects; whiskers: lowest to highest)"
set grid
set key outside right
set style fill solid 0.8 border -1
set boxwidth 0.19
set xtics ("DINO" 0, "CLIP-I" 1, "look kept (judged)" 2, "class kept (judged)" 3) scale 0
set xrange [-0.6:3.6]
set key below
set datafile missing 'NaN'
set yrange [0:1.1]
plot 'table4.dat' index 0 using 1:2 with boxes title "correct noun, with the prior", \
     'table4.dat' index 1 using 1:2 with boxes title "correct noun, without the prior", \
     'table4.dat' index 2 using 1:2 with boxes title "wrong noun, with the prior", \
     'table4.dat' index 3 using 1:2 with boxes title "no noun, without the prior", \
     'table4.dat' index 0 using 1:2:3:4 with yerrorbars pt 7 ps 0.4 lc rgb 'black' notitle, \
     'table4.dat' index 1 using 1:2:3:4 with yerrorbars pt 7 ps 0.4 lc rgb 'black' notitle, \
     'table4.dat' index 2 using 1:2:3:4 with yerrorbars pt 7 ps 0.4 lc rgb 'black' notitle, \
     'table4.dat' index 3 using 1:2:3:4 with yerrorbars pt 7 ps 0.4 lc rgb 'black' notitle, \
     'table4.dat' index 0 using 1:5 with points pt 13 ps 1.6 lc rgb 'black' title "the paper's Table 4 (Imagen)", \
     'table4.dat' index 1 using 1:5 with points pt 13 ps 1.6 lc rgb 'black' notitle, \
     'table4.dat' index 2 using 1:5 with points pt 13 ps 1.6 lc rgb 'black' notitle, \
     'table4.dat' index 3 using 1:5 with points pt 13 ps 1.6 lc rgb 'black' notitle
