# scales.gp — redraw with: gnuplot scales.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'scales.png'
set title "signal scale α_t = √ᾱ_t and noise scale σ_t = √(1−ᾱ_t): they cross at 1/√2, where SNR = 1"
set xlabel "t (0-indexed)"
set ylabel "scale"
set grid
set key outside right
set key center right inside
set arrow from graph 0, first 0.7071 to graph 1, first 0.7071 nohead dt 2 lc rgb 'gray40'
set label 'α_t = σ_t = 1/√2 (SNR = 1)' at graph 0.66, first 0.675 tc rgb 'gray40'
plot 'scales.dat' index 0 using 1:2 with lines lw 2 title "α_t, signal (linear)", \
     'scales.dat' index 1 using 1:2 with lines lw 2 title "σ_t, noise (linear)", \
     'scales.dat' index 2 using 1:2 with lines lw 2 title "α_t, signal (cosine)", \
     'scales.dat' index 3 using 1:2 with lines lw 2 title "σ_t, noise (cosine)"
