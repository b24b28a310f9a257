#!/bin/sh
# msg.sh - the inbound pipeline's actions (lib/msg_verify.c) for DMARC
# outcomes that need DNS: "test_msg dns" against the unbound test server.
# The rest of test_msg.c (roles, header cap, verdicts without lookups)
# runs without DNS as the unit test test_msg.
. "$srcdir/lib.sh"
dns_start "$srcdir/zones/dmarc.conf" || skip_all "cannot start unbound"
export DNS_PORT
"$builddir/test_msg" dns
