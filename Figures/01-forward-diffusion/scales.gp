# scales.gp — redraw with: gnuplot scales.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'scales.png'
set title "signal scale α_t = √ᾱ_t and noise scale σ_t = √(1−ᾱ_t): they cross where SNR = 1"
set xlabel "t (0-indexed)"
set ylabel "scale"
set grid
set key outside right
set key center right inside
plot 'scales.dat' index 0 using 1:2 with lines lw 2 title "√ᾱ_t (linear)", \
     'scales.dat' index 1 using 1:2 with lines lw 2 title "√(1−ᾱ_t) (linear)", \
     'scales.dat' index 2 using 1:2 with lines lw 2 title "√ᾱ_t (cosine)", \
     'scales.dat' index 3 using 1:2 with lines lw 2 title "√(1−ᾱ_t) (cosine)"
