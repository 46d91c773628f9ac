# SPDX-License-Identifier: GPL-2.0
# Plots of mshare-bench results (scripts/vm-bench runs this).
#   gnuplot -e "csv='build/bench/results.csv'; outdir='build/bench'" scripts/bench-plot.gp
# CSV columns: scenario,variant,n,metric,unit,median,min,max,runs,kind,tree

if (!exists("csv")) csv = 'build/bench/results.csv'
if (!exists("outdir")) outdir = 'build/bench'

set terminal pngcairo size 900,600 font ",11"
set datafile separator ","
set key top left
set grid
set logscale x
set xlabel "attachers (N)"
variants = "mshare-pud mshare-pmd memfd memfd-thp hugetlb mshare-huge"
nvar = words(variants)

# Rows of one scenario/metric/variant, measured ones only.
sel(s, m, v) = sprintf("< awk -F, '$1==\"%s\" && $4==\"%s\" && $2==\"%s\" && $6!=\"\" && $10==\"measured\"' '%s'", s, m, v, csv)

# How many rows with a number one scenario/metric has.
has(s, m) = system(sprintf("awk -F, '$1==\"%s\" && $4==\"%s\" && $6!=\"\"' '%s' | wc -l", s, m, csv)) + 0

# Log scale on y: a zero is drawn as 1 (the floor of the plot).
floor1(y) = (y < 1 ? 1 : y)

if (has("B1", "pt_per_attacher") > 0) {
	set output outdir."/b1-pagetables-per-attacher.png"
	set title "B1: page-table bytes each attacher adds per GiB mapped (0 drawn as 1)"
	set ylabel "bytes per attacher per GiB"
	set logscale y
	plot for [i=1:nvar] sel("B1", "pt_per_attacher", word(variants, i)) using 3:(floor1($6)) \
		with linespoints lw 2 dt i ps 1.5 title word(variants, i)
}

if (has("B3", "wall") > 0) {
	set output outdir."/b3-wall-time.png"
	set title "B3: N attachers spawn + attach + touch, wall time"
	set ylabel "ms"
	plot for [i=1:nvar] sel("B3", "wall", word(variants, i)) using 3:(floor1($6)) \
		with linespoints lw 2 dt i ps 1.5 title word(variants, i)
}

if (has("B3", "pt_total") > 0) {
	set output outdir."/b3-pagetables-total.png"
	set title "B3: PageTables growth, all N attachers (processes included)"
	set ylabel "KiB"
	plot for [i=1:nvar] sel("B3", "pt_total", word(variants, i)) using 3:(floor1($6)) \
		with linespoints lw 2 dt i ps 1.5 title word(variants, i)
}

if (has("B5", "discard_time") > 0) {
	set output outdir."/b5-discard-time.png"
	set title "B5: discard (memfd: punch hole) of the region while N attachers map it"
	set ylabel "ms"
	plot for [i=1:nvar] sel("B5", "discard_time", word(variants, i)) using 3:(floor1($6)) \
		with linespoints lw 2 dt i ps 1.5 title word(variants, i)
}

if (has("B5", "migrate_time") > 0) {
	set output outdir."/b5-migrate-time.png"
	set title "B5: migrate (memfd: move_pages) of the region while N attachers map it"
	set ylabel "ms"
	plot for [i=1:nvar] sel("B5", "migrate_time", word(variants, i)) using 3:(floor1($6)) \
		with linespoints lw 2 dt i ps 1.5 title word(variants, i)
}
