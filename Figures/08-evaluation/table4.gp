# table4.gp — redraw with: gnuplot table4.gp (in this folder)
set terminal pngcairo size 895,146 font 'sans,10' noenhanced
set output 'table4.png'
set title "Table 4 in miniature (3 subjects): DINO with the correct noun 0.64, a wrong one 0.64, none 0.70" font 'sans,12'
unset border; unset tics; unset key
set xrange [0:1]; set yrange [5:0]
set lmargin 1; set rmargin 1; set bmargin 1; set tmargin 3
set label 1 "class noun   DINO    CLIP-I   look kept   class kept   paper DINO / CLIP-I" at graph 0.01, first 0.5 font 'DejaVu Sans Mono,10'
set label 2 "correct      0.638   0.631    0.679       0.708        0.744 / 0.853" at graph 0.01, first 1.5 font 'DejaVu Sans Mono,10'
set label 3 "wrong        0.638   0.619    0.726       0.590        0.454 / 0.728" at graph 0.01, first 2.5 font 'DejaVu Sans Mono,10'
set label 4 "none         0.699   0.657    0.786       0.514        0.303 / 0.607" at graph 0.01, first 3.5 font 'DejaVu Sans Mono,10'
set label 5 "ordering correct > wrong > none (DINO): does not match the paper's" at graph 0.01, first 4.5 font 'DejaVu Sans Mono,10'
plot NaN notitle
