#!/bin/sh
# spf.sh - run test_spf (lib/spf.c) against the unbound test server and a dead port
. "$srcdir/lib.sh"
dns_start "$srcdir/zones/spf.conf" || skip_all "cannot start unbound"
DEAD_PORT=$(free_port)
export DNS_PORT DEAD_PORT
"$builddir/test_spf"
