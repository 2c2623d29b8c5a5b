# world-gallery.gp — redraw with: gnuplot world-gallery.gp (in this folder)
set terminal pngcairo size 1290,890 font 'sans,9' noenhanced
set output 'world-gallery.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 4,6 title "The world: 24 training images and their captions (attributes left out at random)" font 'sans,12'
set title "a painting of an orange heart in a\ncity"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "a sketch of a fish on water\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "a pink house on grass\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "a blue checkered fish in a city\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "a fish on sand\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "a pink heart on sand\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "a sketch of a ball in a city\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "an orange star on water\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "a star on grass\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 8 using 1:2:3:4:5 with rgbimage
set title "a tree at night\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 9 using 1:2:3:4:5 with rgbimage
set title "a tree in a city\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 10 using 1:2:3:4:5 with rgbimage
set title "an orange dotted tree\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 11 using 1:2:3:4:5 with rgbimage
set title "an orange striped cup in a city\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 12 using 1:2:3:4:5 with rgbimage
set title "a house in a city\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 13 using 1:2:3:4:5 with rgbimage
set title "a yellow tree on water\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 14 using 1:2:3:4:5 with rgbimage
set title "a painting of a green cup in a city\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 15 using 1:2:3:4:5 with rgbimage
set title "a painting of a yellow striped fish\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 16 using 1:2:3:4:5 with rgbimage
set title "a pink box on water\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 17 using 1:2:3:4:5 with rgbimage
set title "an orange fish in snow\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 18 using 1:2:3:4:5 with rgbimage
set title "an orange dotted tree on sand\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 19 using 1:2:3:4:5 with rgbimage
set title "a painting of a blue checkered tree\non grass"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 20 using 1:2:3:4:5 with rgbimage
set title "a purple plain cup in snow\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 21 using 1:2:3:4:5 with rgbimage
set title "a dotted box in a city\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 22 using 1:2:3:4:5 with rgbimage
set title "a fish\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'world-gallery.dat' index 23 using 1:2:3:4:5 with rgbimage
unset multiplot
