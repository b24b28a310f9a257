/*
 * testdns.h - test helper: a resolver (lib/dns) asking the test unbound on
 * 127.0.0.1:port; NULL, with a TAP diagnostic, when it cannot be made
 */
#ifndef AUTHMILTER_TESTDNS_H
#define AUTHMILTER_TESTDNS_H

struct dns;
struct dns	*test_resolver(const char *port, int timeout);

#endif
