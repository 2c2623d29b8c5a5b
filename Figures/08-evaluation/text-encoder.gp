# text-encoder.gp — redraw with: gnuplot text-encoder.gp (in this folder)
set terminal pngcairo size 760,110 font 'sans,10' noenhanced
set output 'text-encoder.png'
set title "--train_text_encoder, split-ball: DINO 0.72 → 0.97, context as asked 0.88 → 0.17" font 'sans,12'
unset border; unset tics; unset key
set xrange [0:1]; set yrange [3:0]
set lmargin 1; set rmargin 1; set bmargin 1; set tmargin 3
set label 1 "split-ball            DINO    CLIP-I   CLIP-T   look kept   context   PRES     train s" at graph 0.01, first 0.5 font 'DejaVu Sans Mono,10'
set label 2 "UNet only (default)   0.721   0.646    0.584    0.714       0.875     0.513    350" at graph 0.01, first 1.5 font 'DejaVu Sans Mono,10'
set label 3 "UNet + text encoder   0.971   0.841    0.349    1.000       0.167     -0.025   192" at graph 0.01, first 2.5 font 'DejaVu Sans Mono,10'
plot NaN notitle
