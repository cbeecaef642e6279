#!/bin/sh
# tests/deps.sh — install what building and testing weft needs, from
# Debian's packages, when it is missing.  Sourced by sbin/quickstart.sh and
# tests/run.sh; needs root (or sudo) only when something is missing.
weft_packages="build-essential autoconf automake pkgconf libevent-dev libjson-c-dev
libcurl4-openssl-dev libssl-dev check curl jq procps iproute2 clang-format
libtool"
weft_missing=
for p in $weft_packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		weft_missing="$weft_missing $p"
done
if [ -n "$weft_missing" ]; then
	echo "installing missing Debian packages:$weft_missing"
	if [ "$(id -u)" -eq 0 ]; then weft_sudo=; else weft_sudo=sudo; fi
	$weft_sudo apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive $weft_sudo apt-get install -y -qq $weft_missing >/dev/null ||
		{ echo "could not install:$weft_missing" >&2; exit 1; }
fi
