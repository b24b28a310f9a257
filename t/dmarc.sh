#!/bin/sh
# dmarc.sh - the DMARC evaluation (lib/dmarc.c, dmarc_author.c,
# dmarc_discover.c, dmarc_align.c): "test_dmarc dns" against the unbound
# test server and a dead port.  The record parser and the PSL rows of
# test_dmarc.c run without DNS as the unit test test_dmarc.
. "$srcdir/lib.sh"
dns_start "$srcdir/zones/dmarc.conf" || skip_all "cannot start unbound"
DEAD_PORT=$(free_port)
DMARC_PSL="$srcdir/zones/dmarc-psl.dat"
export DNS_PORT DEAD_PORT DMARC_PSL
"$builddir/test_dmarc" dns
