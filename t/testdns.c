/*
 * testdns.c - the test resolver (testdns.h)
 */
#include "config.h"

#include <stdio.h>

#include "buf.h"
#include "dns.h"
#include "tap.h"
#include "testdns.h"

struct dns *
test_resolver(const char *port, int timeout)
{
	struct strlist ns = { 0, NULL };
	struct buf err = BUF_INIT;
	char spec[64];
	struct dns *d;

	buf_init(&err);
	snprintf(spec, sizeof(spec), "127.0.0.1:%s", port);
	strlist_add(&ns, spec);
	if ((d = dns_new(&ns, timeout, NULL, &err)) == NULL)
		diag("dns_new: %s", err.data);
	strlist_free(&ns);
	buf_free(&err);
	return d;
}
