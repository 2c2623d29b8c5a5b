# similarity-heatmap.gp — redraw with: gnuplot similarity-heatmap.gp (in this folder)
set terminal pngcairo size 900,700 font 'sans,10' noenhanced
set output 'similarity-heatmap.png'
set title "Cosine of held-out images (rows) and captions (columns): the diagonal is each image's own caption"
set grid
set key outside right
set cblabel 'cosine'
set key off
set lmargin at screen 0.36; set rmargin at screen 0.84; set tmargin at screen 0.9; set bmargin at screen 0.283
set xrange [-0.5:7.5]
set yrange [7.5:-0.5]
set palette rgbformulae 33,13,10
set ytics ("image: a yellow checkered ball in snow" 0, "image: a brown plain box in a city" 1, "image: a blue dotted star on water" 2, "image: a purple dotted tree at night" 3, "image: an orange striped house on sand" 4, "image: a brown checkered fish at night" 5, "image: an orange checkered cup on water" 6, "image: a red dotted heart on grass" 7)
set xtics rotate by -45 ("a yellow checkered ball in snow" 0, "a brown plain box in a city" 1, "a blue dotted star on water" 2, "a purple dotted tree at night" 3, "an orange striped house on sand" 4, "a brown checkered fish at night" 5, "an orange checkered cup on water" 6, "a red dotted heart on grass" 7)
plot 'similarity-heatmap.dat' using 1:2:3 with image notitle
