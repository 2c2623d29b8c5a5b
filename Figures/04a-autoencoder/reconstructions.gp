# reconstructions.gp — redraw with: gnuplot reconstructions.gp (in this folder)
set terminal pngcairo size 900,960 font 'sans,9' noenhanced
set output 'reconstructions.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 6,6 title "Held-out world images and the built-in subjects' photos (odd rows), each decoded from its latent\nmean (the row below it)" font 'sans,12'
set title "a sketch of a heart on\ngrass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "a painting of a striped\nball on water"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "a green cup on sand\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "a brown fish in a city\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "a striped star in a city\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "a purple star in a city\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "a pink ball on grass\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "a painting of an orange\nstar"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 13 using 1:2:3:4:5 with rgbimage
set title "an orange cup on water\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 14 using 1:2:3:4:5 with rgbimage
set title "split-ball on grass\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 15 using 1:2:3:4:5 with rgbimage
set title "split-ball on sand\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 16 using 1:2:3:4:5 with rgbimage
set title "split-ball in snow\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 17 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 18 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 19 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 20 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 21 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 22 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 23 using 1:2:3:4:5 with rgbimage
set title "teal-cup on sand\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 24 using 1:2:3:4:5 with rgbimage
set title "teal-cup on grass\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 25 using 1:2:3:4:5 with rgbimage
set title "teal-cup at night\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 26 using 1:2:3:4:5 with rgbimage
set title "dotted-box on water\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 27 using 1:2:3:4:5 with rgbimage
set title "dotted-box in a city\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 28 using 1:2:3:4:5 with rgbimage
set title "dotted-box on grass\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 29 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 30 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 31 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 32 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 33 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 34 using 1:2:3:4:5 with rgbimage
set title "its reconstruction\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'reconstructions.dat' index 35 using 1:2:3:4:5 with rgbimage
unset multiplot
