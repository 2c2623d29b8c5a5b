# tokenization.gp — redraw with: gnuplot tokenization.gp (in this folder)
set terminal pngcairo size 1150,272 font 'sans,10' noenhanced
set output 'tokenization.png'
set title "A caption is whole words; 'sks' is one rare token; 'xqzt' splits into pieces (</w> ends a word)" font 'sans,12'
unset border; unset tics; unset key
set xrange [0:1]; set yrange [12:0]
set lmargin 1; set rmargin 1; set bmargin 1; set tmargin 3
set label 1 "\"a painting of an orange checkered heart in a city\"" at graph 0.01, first 0.5 font 'DejaVu Sans Mono,10'
set label 2 "   tokens: a</w> · painting</w> · of</w> · an</w> · orange</w> · checkered</w> · heart</w> · in</w> · a</w> · city</w>" at graph 0.01, first 1.5 font 'DejaVu Sans Mono,10'
set label 3 "   ids:    8190 320 597 536 602 617 579 573 523 320 581 8191" at graph 0.01, first 2.5 font 'DejaVu Sans Mono,10'
set label 4 "\"a sks cup in snow\"" at graph 0.01, first 3.5 font 'DejaVu Sans Mono,10'
set label 5 "   tokens: a</w> · sks</w> · cup</w> · in</w> · snow</w>" at graph 0.01, first 4.5 font 'DejaVu Sans Mono,10'
set label 6 "   ids:    8190 320 2899 590 523 583 8191" at graph 0.01, first 5.5 font 'DejaVu Sans Mono,10'
set label 7 "\"a photo of xqzt\"" at graph 0.01, first 6.5 font 'DejaVu Sans Mono,10'
set label 8 "   tokens: a</w> · phot · o</w> · of</w> · x · q · z · t</w>" at graph 0.01, first 7.5 font 'DejaVu Sans Mono,10'
set label 9 "   ids:    8190 320 1772 334 536 87 80 89 339 8191" at graph 0.01, first 8.5 font 'DejaVu Sans Mono,10'
set label 10 "\"A Purple DOTTED fish, at night!\"" at graph 0.01, first 9.5 font 'DejaVu Sans Mono,10'
set label 11 "   tokens: a</w> · purple</w> · dotted</w> · fish</w> · ,</w> · at</w> · night</w> · !</w>" at graph 0.01, first 10.5 font 'DejaVu Sans Mono,10'
set label 12 "   ids:    8190 320 629 574 576 267 578 587 256 8191" at graph 0.01, first 11.5 font 'DejaVu Sans Mono,10'
plot NaN notitle
