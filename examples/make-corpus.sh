#!/bin/sh
# make-corpus.sh — write a text corpus of any size for the word count
# example and benchmark.
#
#   examples/make-corpus.sh SIZE [DIR [FILES]]
#
# SIZE is bytes with an optional k, m or g suffix (200m); the corpus is
# FILES files (default 4) named part-N.txt in DIR (default ./corpus).
# Lines hold 5 to 14 words drawn from a 20000-word vocabulary with Zipf
# frequencies (the word of rank r appears about 1/r as often as the
# first), like natural text.  The same SIZE always gives the same bytes.
set -eu

usage() {
	echo "usage: $0 SIZE [DIR [FILES]]   (SIZE: bytes, or with k, m or g)" >&2
	exit 2
}
[ $# -ge 1 ] && [ $# -le 3 ] || usage
size=$1
dir=${2:-corpus}
files=${3:-4}
case $size in
*[kK]) bytes=$((${size%?} * 1024)) ;;
*[mM]) bytes=$((${size%?} * 1024 * 1024)) ;;
*[gG]) bytes=$((${size%?} * 1024 * 1024 * 1024)) ;;
*[!0-9]* | '') usage ;;
*) bytes=$size ;;
esac
case $files in
*[!0-9]* | '' | 0) usage ;;
esac
mkdir -p "$dir"
per=$(((bytes + files - 1) / files))
i=0
while [ "$i" -lt "$files" ]; do
	# awk: a vocabulary of pronounceable words, a deck of 2^20 draws
	# following Zipf's law, then lines of words from the deck until the
	# file has its share of bytes.
	awk -v bytes="$per" -v seed="$((i + 1))" 'BEGIN {
		srand(seed)
		split("b c d f g h j k l m n p r s t v w z st th", cons, " ")
		split("a e i o u ai ea ou", vow, " ")
		V = 20000
		for (r = 1; r <= V; r++) {
			w = ""
			n = 1 + int(rand() * 3) + (r > 100) + (r > 2000)
			for (k = 0; k < n; k++)
				w = w cons[1 + int(rand() * 20)] vow[1 + int(rand() * 8)]
			word[r] = w
			h += 1 / r
		}
		D = 1048576
		d = 0
		for (r = 1; r <= V && d < D; r++) {
			c = int(D / (r * h) + 0.5)
			if (c < 1) c = 1
			for (k = 0; k < c && d < D; k++)
				deck[d++] = word[r]
		}
		D = d
		out = 0
		while (out < bytes) {
			n = 5 + int(rand() * 10)
			line = deck[int(rand() * D)]
			for (k = 1; k < n; k++)
				line = line " " deck[int(rand() * D)]
			print line
			out += length(line) + 1
		}
	}' >"$dir/part-$i.txt"
	i=$((i + 1))
done
