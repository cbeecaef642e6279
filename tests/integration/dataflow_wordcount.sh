#!/bin/bash
# The word count example (examples/wordcount.json) on a generated corpus,
# in client mode and in cluster mode, against `tr | sort | uniq -c`; the
# driver's status URL is the application's trackingUrl; a malformed job
# file is refused before anything is submitted.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
start_rm
start_nm nm1
start_nm nm2
wait_for 10 "2 active nodes" nodes_are 2

cd "$T" || fail "cd $T"
"$WEFT_SRCDIR/examples/make-corpus.sh" 300k corpus 3 || fail "make-corpus.sh"
# Several splits (maps) and 4 reduce partitions over 2 nodes: shuffle
# data crosses nodes through the NMs' shuffle service.
sed 's/"32m"/"40k"/' "$WEFT_SRCDIR/examples/wordcount.json" >wordcount.json
cat corpus/*.txt | tr -s ' ' '\n' | LC_ALL=C sort | uniq -c |
	awk '{ print $2 "\t" $1 }' | LC_ALL=C sort >expected
[ "$(wc -l <expected)" -gt 1000 ] || fail "corpus too small: $(wc -l <expected) words"

weft-submit --deploy-mode client --num-executors 2 --executor-cores 2 wordcount.json \
	>out.client 2>err.client || { cat err.client; fail "client mode word count failed"; }
LC_ALL=C sort out.client | cmp -s - expected ||
	fail "client mode counts differ: $(LC_ALL=C sort out.client | diff - expected | head)"
ok "client mode word count equals tr | sort | uniq -c ($(wc -l <expected) words)"
id=$(grep -o 'application_[0-9]*_[0-9]*' err.client | head -n 1)
app_field "$id" trackingUrl | grep -q '^http://.*/ws/v1/driver$' ||
	fail "trackingUrl is not the driver's status: $(app_field "$id" trackingUrl)"
grep -q 'tracking URL http://.*/ws/v1/driver' err.client || fail "no tracking URL line: $(cat err.client)"
ok "client mode: the trackingUrl is the driver's status URL"

# Cluster mode: the AM runs in its container's directory, yet the
# relative input resolves from where weft-submit ran (its base-dir).
weft-submit --deploy-mode cluster --num-executors 2 --executor-cores 2 wordcount.json \
	>out.cluster 2>err.cluster || { cat err.cluster; fail "cluster mode word count failed"; }
LC_ALL=C sort out.cluster | cmp -s - expected ||
	fail "cluster mode counts differ: $(LC_ALL=C sort out.cluster | diff - expected | head)"
ok "cluster mode word count equals tr | sort | uniq -c"
id=$(grep -o 'application_[0-9]*_[0-9]*' err.cluster | head -n 1)
app_field "$id" trackingUrl | grep -q '^http://.*/ws/v1/driver$' ||
	fail "cluster trackingUrl: $(app_field "$id" trackingUrl)"
ok "cluster mode: the trackingUrl is the driver's status URL"

# Malformed job files are refused before submission, naming the field.
submitted_before=$(rest /ws/v1/cluster/metrics | jq .clusterMetrics.appsSubmitted)
apps_before=$(rest /ws/v1/cluster/apps | jq '[.apps.app[]?] | length')
refuse() { # NAME JSON EXPECTED-MESSAGE [DEPLOY-MODE]
	printf '%s' "$2" >"bad-$1.json"
	if weft-submit --deploy-mode "${4:-client}" "bad-$1.json" >/dev/null 2>"bad-$1.err"; then
		fail "$1: accepted"
	fi
	grep -q -- "$3" "bad-$1.err" || fail "$1: message: $(cat "bad-$1.err")"
}
# Numbers are range-checked (these once reached undefined behaviour and
# "succeeded" with empty output), in either deploy mode.
split() { printf '{"kind":"dataflow","datasets":{"lines":{"op":"text","input":"corpus","split-size":%s}},"actions":[{"op":"collect","dataset":"lines"}]}' "$1"; }
refuse split-nan "$(split '"nan"')" 'datasets.lines.split-size: "nan" is not a size'
refuse split-nan-cluster "$(split '"nan"')" 'datasets.lines.split-size: "nan" is not a size' cluster
refuse split-max "$(split 9223372036854775807)" 'datasets.lines.split-size: 9223372036854775807 is out of range'
refuse split-max-cluster "$(split 9223372036854775807)" 'datasets.lines.split-size: 9223372036854775807 is out of range' cluster
refuse split-inf "$(split '"inf"')" 'datasets.lines.split-size: "inf" is not a size'
refuse split-negative "$(split '"-1"')" 'datasets.lines.split-size: "-1" is not a size'
refuse split-overflow "$(split '"8388608t"')" 'datasets.lines.split-size: "8388608t" is out of range'
refuse split-tiny "$(split 1)" 'datasets.lines: more than 100000 splits'
refuse partitions '{"kind":"dataflow","datasets":{"a":{"op":"text","input":"corpus"},"r":{"op":"reduce-by-key","parent":"a","partitions":9223372036854775807}},"actions":[{"op":"collect","dataset":"r"}]}' 'datasets.r.partitions: 9223372036854775807 is out of range'
refuse partitions-big '{"kind":"dataflow","datasets":{"a":{"op":"text","input":"corpus"},"r":{"op":"reduce-by-key","parent":"a","partitions":99999999999999999999}},"actions":[{"op":"collect","dataset":"r"}]}' 'does not fit in 64 bits'
refuse partitions-nan '{"kind":"dataflow","datasets":{"a":{"op":"text","input":"corpus"},"r":{"op":"reduce-by-key","parent":"a","partitions":NaN}},"actions":[{"op":"collect","dataset":"r"}]}' 'malformed JSON'
refuse json '{"kind":"dataflow",' 'malformed'
refuse op '{"kind":"dataflow","datasets":{"a":{"op":"explode"}},"actions":[{"op":"collect","dataset":"a"}]}' 'datasets.a.op: unknown op'
refuse parent '{"kind":"dataflow","datasets":{"a":{"op":"map","parent":"nope","command":"cat"}},"actions":[{"op":"collect","dataset":"a"}]}' 'datasets.a.parent: no dataset named "nope"'
refuse cycle '{"kind":"dataflow","datasets":{"a":{"op":"map","parent":"b","command":"cat"},"b":{"op":"map","parent":"a","command":"cat"}},"actions":[{"op":"collect","dataset":"a"}]}' 'a cycle'
refuse input '{"kind":"dataflow","datasets":{"a":{"op":"text","input":"no/such/file"}},"actions":[{"op":"collect","dataset":"a"}]}' 'datasets.a.input: .*no/such/file: No such file'
refuse type '{"kind":"dataflow","datasets":{"a":{"op":"text","input":"corpus"},"r":{"op":"reduce-by-key","parent":"a","partitions":"4"}},"actions":[{"op":"collect","dataset":"r"}]}' 'datasets.r.partitions: expected an integer'
refuse action '{"kind":"dataflow","datasets":{"a":{"op":"text","input":"corpus"}},"actions":[{"op":"print","dataset":"a"}]}' 'actions\[0\].op: unknown action'
[ "$(rest /ws/v1/cluster/metrics | jq .clusterMetrics.appsSubmitted)" = "$submitted_before" ] ||
	fail "a malformed job reached the RM"
[ "$(rest /ws/v1/cluster/apps | jq '[.apps.app[]?] | length')" = "$apps_before" ] ||
	fail "a malformed job left an application at the RM: $(rest /ws/v1/cluster/apps)"
ok "malformed job files are refused before submission, with the field's path"
