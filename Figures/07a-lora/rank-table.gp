# rank-table.gp — redraw with: gnuplot rank-table.gp (in this folder)
set terminal pngcairo size 928,146 font 'sans,10' noenhanced
set output 'rank-table.png'
set title "LoRA rank against full DreamBooth, split-ball: look kept 0.00–0.04 with LoRA, 0.71 in full" font 'sans,12'
unset border; unset tics; unset key
set xrange [0:1]; set yrange [5:0]
set lmargin 1; set rmargin 1; set bmargin 1; set tmargin 3
set label 1 "run               trained parameters   file      DINO    CLIP-I   look kept   context   PRES    drift   train s" at graph 0.01, first 0.5 font 'DejaVu Sans Mono,10'
set label 2 "LoRA rank 1       11264                68 KB     0.314   0.474    0.000       1.000     0.343   0.000   131" at graph 0.01, first 1.5 font 'DejaVu Sans Mono,10'
set label 3 "LoRA rank 4       45056                200 KB    0.291   0.498    0.000       1.000     0.311   0.000   139" at graph 0.01, first 2.5 font 'DejaVu Sans Mono,10'
set label 4 "LoRA rank 16      180224               729 KB    0.538   0.532    0.036       0.958     0.332   0.000   126" at graph 0.01, first 3.5 font 'DejaVu Sans Mono,10'
set label 5 "full DreamBooth   2529731              9936 KB   0.721   0.646    0.714       0.875     0.513   0.188   350" at graph 0.01, first 4.5 font 'DejaVu Sans Mono,10'
plot NaN notitle
