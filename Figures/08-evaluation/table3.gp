# table3.gp — redraw with: gnuplot table3.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'table3.png'
set title "Table 3 in miniature: the prior takes PRES from 0.96 to 0.18 (base 0.39), DIV from 0.03 to 0.05"
set ylabel "score (bars: mean of 3 subjects; whiskers: lowest to highest)"
set grid
set key outside right
set style fill solid 0.8 border -1
set boxwidth 0.2533333
set xtics ("PRES" 0, "drift (judged)" 1, "DIV" 2, "DINO" 3) scale 0
set xrange [-0.6:3.6]
set key below
set datafile missing 'NaN'
set yrange [0:1.1]
plot 'table3.dat' index 0 using 1:2 with boxes title "base model", \
     'table3.dat' index 1 using 1:2 with boxes title "with prior preservation", \
     'table3.dat' index 2 using 1:2 with boxes title "without", \
     'table3.dat' index 0 using 1:2:3:4 with yerrorbars pt 7 ps 0.4 lc rgb 'black' notitle, \
     'table3.dat' index 1 using 1:2:3:4 with yerrorbars pt 7 ps 0.4 lc rgb 'black' notitle, \
     'table3.dat' index 2 using 1:2:3:4 with yerrorbars pt 7 ps 0.4 lc rgb 'black' notitle, \
     'table3.dat' index 0 using 1:5 with points pt 13 ps 1.6 lc rgb 'black' notitle, \
     'table3.dat' index 1 using 1:5 with points pt 13 ps 1.6 lc rgb 'black' title "the paper's Table 3 (Imagen)", \
     'table3.dat' index 2 using 1:5 with points pt 13 ps 1.6 lc rgb 'black' notitle
