# input-images.gp — redraw with: gnuplot input-images.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'input-images.png'
set title "split-ball, 1–5 instance photos (paper's Fig. 20): DINO 0.73–0.82, context as asked 0.96–1.00"
set xlabel "instance images"
set ylabel "score"
set grid
set key outside right
set key below
set yrange [0:1.05]
set xtics 1
set xrange [0.8:5.2]
plot 'input-images.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DINO", \
     'input-images.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "CLIP-I", \
     'input-images.dat' index 2 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "look kept (judged)", \
     'input-images.dat' index 3 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "context as asked (judged)"
