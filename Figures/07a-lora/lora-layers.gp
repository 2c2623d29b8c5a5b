# lora-layers.gp — redraw with: gnuplot lora-layers.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'lora-layers.png'
set title "Look kept: 0.18 with attention-only adapters, 0.54 with the convolutions too, 0.61 in full (base 0.00)"
set ylabel "score (split-ball, 12 prompts × 4 samples)"
set grid
set key outside right
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -40 scale 0
set boxwidth 0.9
set key top right inside
set yrange [0:1.1]
plot 'lora-layers.dat' using 2:xtic(1) title "base model", \
     'lora-layers.dat' using 3:xtic(1) title "LoRA r8, attention only", \
     'lora-layers.dat' using 4:xtic(1) title "LoRA r8, attention + convolutions", \
     'lora-layers.dat' using 5:xtic(1) title "full DreamBooth"
