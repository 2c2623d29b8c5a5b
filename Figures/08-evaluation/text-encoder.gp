# text-encoder.gp — redraw with: gnuplot text-encoder.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'text-encoder.png'
set title "--train_text_encoder, split-ball (one run each): DINO 0.81 → 0.80, context as asked 1.00 → 0.88"
set ylabel "score"
set grid
set key outside right
set style fill solid 0.8 border -1
set boxwidth 0.38
set xtics ("DINO" 0, "CLIP-I" 1, "CLIP-T" 2, "look kept" 3, "context as asked" 4, "PRES" 5) scale 0
set xrange [-0.6:5.6]
set key below
set datafile missing 'NaN'
set yrange [-0.1:1.1]
plot 'text-encoder.dat' index 0 using 1:2 with boxes title "UNet only (the default)", \
     'text-encoder.dat' index 1 using 1:2 with boxes title "UNet + text encoder"
