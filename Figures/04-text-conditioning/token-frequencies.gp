# token-frequencies.gp — redraw with: gnuplot token-frequencies.gp (in this folder)
set terminal pngcairo size 800,500 font 'sans,10' noenhanced
set output 'token-frequencies.png'
set title "34 tokens make every caption, each 1256–24771 times; 8156 of the 8192 (special tokens aside) never occur"
set xlabel "rank of token"
set ylabel "occurrences"
set logscale x
set logscale y
set grid
set key outside right
set key top right inside
set format y '%g'
set xrange [1:8192]
set object 1 rect from 35,graph 0 to 8192,graph 1 fc rgb '#ffe0b0' fs solid 0.6 behind
set label 1 'rare band: 8156 tokens never in a caption' at 37,graph 0.5
plot 'token-frequencies.dat' index 0 using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "caption tokens (count in 20,000 captions)"
