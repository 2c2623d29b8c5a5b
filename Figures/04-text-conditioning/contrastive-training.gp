# contrastive-training.gp — redraw with: gnuplot contrastive-training.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'contrastive-training.png'
set title "Contrastive losses fall as each pair finds its match among 64 (mean of 25 steps)"
set xlabel "step (batch 64)"
set ylabel "loss"
set grid
set key outside right
set key top right inside
plot 'contrastive-training.dat' index 0 using 1:2 with lines lw 2 title "text encoder + plain image tower (the generator's)", \
     'contrastive-training.dat' index 1 using 1:2 with lines lw 2 title "CLIP judge (its own towers)", \
     'contrastive-training.dat' index 2 using 1:2 with lines lw 2 title "DINO judge (two views of one object)"
