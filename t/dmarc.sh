#!/bin/sh
# dmarc.sh - run test_dmarc against the unbound test server and a dead port
. "$srcdir/lib.sh"
dns_start "$srcdir/zones/dmarc.conf" || skip_all "cannot start unbound"
DEAD_PORT=$(free_port)
DMARC_PSL="$srcdir/zones/dmarc-psl.dat"
export DNS_PORT DEAD_PORT DMARC_PSL
"$builddir/test_dmarc"
