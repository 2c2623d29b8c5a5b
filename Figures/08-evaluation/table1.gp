# table1.gp — redraw with: gnuplot table1.gp (in this folder)
set terminal pngcairo size 1183,146 font 'sans,10' noenhanced
set output 'table1.png'
set title "Table 1 in miniature (3 subjects): DreamBooth keeps the subject (DINO 0.64, look 0.68), textual inversion does not (0.25, 0.01)" font 'sans,12'
unset border; unset tics; unset key
set xrange [0:1]; set yrange [5:0]
set lmargin 1; set rmargin 1; set bmargin 1; set tmargin 3
set label 1 "method              DINO    CLIP-I   CLIP-T   look kept (judged)   paper DINO / CLIP-I / CLIP-T (SD)" at graph 0.01, first 0.5 font 'DejaVu Sans Mono,10'
set label 2 "real images         0.972   0.820    –        –                    0.774 / 0.885 / –" at graph 0.01, first 1.5 font 'DejaVu Sans Mono,10'
set label 3 "DreamBooth          0.638   0.631    0.550    0.679                0.668 / 0.803 / 0.305" at graph 0.01, first 2.5 font 'DejaVu Sans Mono,10'
set label 4 "textual inversion   0.249   0.434    0.660    0.012                0.569 / 0.780 / 0.255" at graph 0.01, first 3.5 font 'DejaVu Sans Mono,10'
set label 5 "ordering real > DreamBooth > textual inversion (DINO): matches the paper's" at graph 0.01, first 4.5 font 'DejaVu Sans Mono,10'
plot NaN notitle
