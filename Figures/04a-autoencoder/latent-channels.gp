# latent-channels.gp — redraw with: gnuplot latent-channels.gp (in this folder)
set terminal pngcairo size 750,330 font 'sans,9' noenhanced
set output 'latent-channels.png'
unset key; unset tics; unset border; set size ratio -1
set multiplot layout 2,5 title "\"a green cup on sand\": its latent mean, channel by channel" font 'sans,12'
set title "the image (shrunk to\n16×16)"
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'latent-channels.dat' index 0 using 1:2:3:4:5 with rgbimage
set title "channel 0\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'latent-channels.dat' index 1 using 1:2:3:4:5 with rgbimage
set title "channel 1\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'latent-channels.dat' index 2 using 1:2:3:4:5 with rgbimage
set title "channel 2\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'latent-channels.dat' index 3 using 1:2:3:4:5 with rgbimage
set title "channel 3\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'latent-channels.dat' index 4 using 1:2:3:4:5 with rgbimage
set title "channel 4\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'latent-channels.dat' index 5 using 1:2:3:4:5 with rgbimage
set title "channel 5\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'latent-channels.dat' index 6 using 1:2:3:4:5 with rgbimage
set title "channel 6\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'latent-channels.dat' index 7 using 1:2:3:4:5 with rgbimage
set title "channel 7\n "
set xrange [-0.5:128 - 0.5]; set yrange [128 - 0.5:-0.5]
plot 'latent-channels.dat' index 8 using 1:2:3:4:5 with rgbimage
unset multiplot
