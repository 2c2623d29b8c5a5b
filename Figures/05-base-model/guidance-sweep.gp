# guidance-sweep.gp — redraw with: gnuplot guidance-sweep.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'guidance-sweep.png'
set title "Guidance spends diversity (DIV) on following the prompt: from g = 2 on, accuracy levels off"
set xlabel "guidance scale g"
set ylabel "accuracy / DIV"
set grid
set key outside right
set key below
set yrange [0:1]
plot 'guidance-sweep.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "mean accuracy (held-out prompts)", \
     'guidance-sweep.dat' index 1 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "DIV (8 samples of one prompt)"
