# heldout-vs-train.gp — redraw with: gnuplot heldout-vs-train.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'heldout-vs-train.png'
set title "Held-out against trained compositions (12 prompts each, DDIM 25, g = 3; ±0.14 is noise)"
set ylabel "accuracy"
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set yrange [0:1.05]
set key below
set xtics norotate
plot 'heldout-vs-train.dat' using 2:xtic(1) title "held-out compositions", \
     'heldout-vs-train.dat' using 3:xtic(1) title "training compositions"
