# identifier-embeddings.gp — redraw with: gnuplot identifier-embeddings.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'identifier-embeddings.png'
set title "Γ(\"a [V] ball\"), two principal directions: rare tokens sit by \"a ball\", colors spread out"
set xlabel "first principal direction"
set ylabel "second principal direction"
set grid
set key outside right
set key below
set size ratio -1
plot 'identifier-embeddings.dat' index 0 using 1:2 with points pt 7 ps 1.2 title "rare tokens", \
     'identifier-embeddings.dat' index 1 using 1:2 with points pt 7 ps 1.2 title "colors", \
     'identifier-embeddings.dat' index 2 using 1:2 with points pt 7 ps 1.2 title "patterns", \
     'identifier-embeddings.dat' index 3 using 1:2 with points pt 7 ps 1.2 title "random strings", \
     'identifier-embeddings.dat' index 4 using 1:2 with points pt 6 ps 2.5 lw 2 lc rgb 'black' title "\"a ball\""
