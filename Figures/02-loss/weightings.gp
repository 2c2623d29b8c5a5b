# weightings.gp — redraw with: gnuplot weightings.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'weightings.png'
set title "Each loss as a weight on ‖x̂_0 − x_0‖² per t (cosine schedule): min-SNR-5 caps ε's SNR at 5"
set xlabel "t"
set ylabel "weight on ‖x̂_0 − x_0‖²"
set logscale y
set grid
set key outside right
set key top right inside
set format y '1e%T'
set yrange [1e-6:1e5]
set arrow from graph 0, first 5 to graph 1, first 5 nohead dt 3 lc rgb 'gray40'
set label 'γ = 5' at graph 0.02, first 12 tc rgb 'gray40'
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb 'gray70'
set label 'weight 1 (SNR = 1)' at graph 0.02, first 0.4 tc rgb 'gray50'
plot 'weightings.dat' index 0 using 1:2 with lines lw 2 title "ε-loss: SNR", \
     'weightings.dat' index 1 using 1:2 with lines lw 2 title "v-loss: SNR + 1", \
     'weightings.dat' index 2 using 1:2 with lines lw 3 dt 2 title "min-SNR-5 (ε or v): min(SNR, 5)"
